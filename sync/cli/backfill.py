"""`handoff backfill --since DATE [--until DATE] [--dry-run]`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from handoff.connectors.protocol import Window
from handoff.store.lock import AlreadyRunning, InstanceLock
from handoff.sync.backfill import BackfillReport, backfill, dry_run
from handoff.sync.cli.context import runtime_or_exit


class DateOrTime(click.ParamType[datetime]):
    """A date (midnight UTC) or an ISO-8601 instant with its zone."""

    name = "DATE"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value)
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date (2026-01-31) or an ISO-8601 time with a zone", param, ctx)
        if parsed.tzinfo is None:
            self.fail(f"{text!r} has no time zone; add Z or an offset, or give a plain date", param, ctx)
        return parsed


@click.command("backfill")
@click.option(
    "--since", required=True, type=DateOrTime(), help="Start of the slice of history (modification time)."
)
@click.option("--until", type=DateOrTime(), help="End of the slice (default: now).")
@click.option("--dry-run", "dry", is_flag=True, help="Write nothing; print what would change.")
def backfill_command(since: datetime, until: datetime | None, dry: bool) -> None:
    """Re-pull and re-evaluate contacts changed in a slice of history, with progress and ETA."""
    rt = runtime_or_exit()
    end = until or rt.clock()
    if since >= end:
        raise click.BadParameter(f"{since.isoformat()} is not before {end.isoformat()}", param_hint="--since")
    lock = InstanceLock(rt.store.engine, rt.crm)
    if not dry:
        try:
            lock.acquire()
        except AlreadyRunning as error:
            click.echo(f"handoff: {error}; stop the daemon before a backfill", err=True)
            raise SystemExit(1) from error
        with rt.store.begin() as tx:
            tx.runs.abandon_dead(rt.clock(), lock_held=True)
    total = rt.connector.count_contacts(Window(since, end))
    columns = (
        TextColumn("{task.description:>9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=Console(stderr=True)) as bar:
            tasks: dict[str, TaskID] = {}

            def advance(stage: str, count: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total if stage == "pulled" else None)
                bar.advance(tasks[stage], count)

            report = (dry_run if dry else backfill)(rt, since, end, progress=advance)
    finally:
        lock.release()
    print_report(Console(), report, dry=dry)


def print_report(console: Console, report: BackfillReport, *, dry: bool) -> None:
    start = f"{report.window.start:%Y-%m-%d %H:%M}" if report.window.start else "the beginning"
    window = f"{start} → {report.window.end:%Y-%m-%d %H:%M} UTC"
    verb = "would change" if dry else "changed"
    console.print(
        f"{'Dry run' if dry else 'Backfill'} {window}: pulled {report.pulled}, "
        f"evaluated {report.evaluated}, {verb} {report.changed}"
    )
    if not dry:
        console.print(f"Written {report.sent}, failed {report.failed}, quarantined {report.quarantined}")
        console.print(f"Notices queued for reps: {report.tasks}")
    else:
        console.print(
            f"Would reassign {report.owner_changes} leads ({report.escalations} by escalation); would "
            f"create {report.tasks} rep tasks and {report.chat_messages} chat messages; "
            f"{report.quarantined} records would be quarantined"
        )
    if report.moves:
        moves = Table(
            "Stage move",
            "Leads",
            title=f"Stage moves that {'would be' if dry else 'were'} made",
            title_justify="left",
        )
        for move, count in report.moves.most_common():
            moves.add_row(move, str(count))
        console.print(moves)
    if report.fields:
        console.print(
            "Fields: " + ", ".join(f"{name} {count}" for name, count in report.fields.most_common())
        )
    if report.sample:
        title = "Sample of the stage moves and owner changes"
        sample = Table("Contact", "Move", "Owner", "Why", title=title, title_justify="left")
        for item in report.sample:
            sample.add_row(item["email"] or item["id"], item["move"], item["owner"], item["why"])
        console.print(sample)
    if report.task_sample:
        console.print(f"Tasks that would be created, first {len(report.task_sample)}:")
        for subject in report.task_sample:
            console.print(f"  • {subject}")
