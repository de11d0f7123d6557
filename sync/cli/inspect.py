"""`handoff status` and `handoff explain`: readable on a terminal, `--json` for machines."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from enum import Enum
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from handoff.connectors.errors import CrmError
from handoff.connectors.protocol import Budget
from handoff.store.outbox import FieldWrite
from handoff.store.runs import RunStatus
from handoff.store.views import Explanation, StatusView
from handoff.sync.cli.context import runtime_or_exit
from handoff.sync.cli.options import IsoTime
from handoff.sync.runtime import Runtime


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option(
    "--runs", default=10, show_default=True, type=click.IntRange(1, 500), help="How many recent runs to show."
)
def status_command(as_json: bool, runs: int) -> None:
    """Last runs, cursor positions, outbox depth, quarantine and the CRM's API budget."""
    rt = runtime_or_exit(read_only=True)
    with rt.store.begin() as tx:
        snapshot = tx.views.status(runs)
    budget, budget_error = _budget(rt)
    if as_json:
        click.echo(json.dumps(_status_json(snapshot, budget, budget_error), default=_default, indent=2))
        return
    _print_status(Console(), snapshot, budget, budget_error, rt.clock())


@click.command("explain")
@click.argument("contact")
@click.option(
    "--at",
    "at",
    type=IsoTime(),
    help="Explain the contact as handoff knew and decided it at this instant, from history alone.",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def explain_command(contact: str, at: datetime | None, as_json: bool) -> None:
    """Why CONTACT (a CRM id or an email) has its score, stage, owner and SLA (now, or --at)."""
    rt = runtime_or_exit(read_only=True)
    with rt.store.begin() as tx:
        found = tx.views.explain(contact, at)
    if found is None:
        click.echo(f"handoff: no contact {contact!r} in the mirror (run `handoff sync` first?)", err=True)
        raise SystemExit(1)
    if as_json:
        click.echo(json.dumps(_explanation_json(found), default=_default, indent=2))
        return
    print_explanation(Console(), found, at or rt.clock())


def _explanation_json(found: Explanation) -> dict[str, Any]:
    decision = found.decision
    return {
        "contact": {"id": found.contact_id, "data": found.contact, "seen_at": found.seen_at},
        "at": found.at,
        "decision": _plain(decision),
        "routing": found.routing,
        "history": _plain(found.history),
        "sla_clocks": list(decision.clocks) if decision else [],
        "clock_events": _plain(found.clock_events),
        "activities": found.activities,
        "pending_writes": [
            {
                "id": row.id,
                "kind": row.kind.value,
                "status": row.status.value,
                "attempts": row.attempts,
                "payload": row.payload.to_dict(),
                "last_error": row.last_error,
            }
            for row in found.pending
        ],
        "errors": [*_plain(found.quarantined), *_plain(found.failures)],
    }


def print_explanation(console: Console, found: Explanation, now: datetime) -> None:
    contact = found.contact
    if contact is None:
        if found.quarantined:
            console.print(f"Contact {found.contact_id}: quarantined, not in the mirror.")
            _print_pending(console, found, now)
            return
        console.print(f"Contact {found.contact_id}: handoff had not seen it by {now:%Y-%m-%d %H:%M} UTC.")
        return
    name = (
        " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p)
        or contact.get("email")
        or found.contact_id
    )
    company = (contact.get("company") or {}).get("name") or "no company"
    console.print(
        f"[bold]{name}[/bold] — {contact.get('title') or 'no title'}, {company} (id {found.contact_id})"
    )
    for problem in contact.get("problems") or ():
        console.print(f"[yellow]Ignored:[/yellow] {problem}")
    if found.at is not None:
        seen = f"{found.seen_at:%Y-%m-%d %H:%M} UTC" if found.seen_at else "never"
        console.print(
            f"As handoff knew it at {found.at:%Y-%m-%d %H:%M} UTC (contact as seen {seen}, "
            f"{found.activities} activities had arrived)"
        )
    decision = found.decision
    if decision is None:
        console.print("Not evaluated yet.")
        return
    console.print(
        f"Stage [bold]{decision.stage.upper()}[/bold] · score {decision.score} "
        f"(fit {decision.fit} + behaviour {decision.behavior}) · "
        f"decided {age(decision.at, now)} with policy {decision.policy_version}"
    )
    console.print(f"Reason in the CRM: {decision.summary}")
    points = Table("Rule", "Points", "Evidence", title="Score", title_justify="left", expand=False)
    for reason in decision.reasons:
        if reason.points is not None:
            points.add_row(reason.rule, f"{reason.points:+d}", reason.detail)
    console.print(points)
    for reason in decision.reasons:
        if reason.signal is not None:
            console.print(f"  • {reason.detail}  [dim]({reason.rule}, {reason.signal})[/dim]")
    for problem in decision.problems:
        console.print(f"[red]Problem:[/red] {problem}")
    _print_owner(console, found)
    _print_history(console, found)
    _print_clocks(console, found, now)
    _print_pending(console, found, now)


def _print_owner(console: Console, found: Explanation) -> None:
    decision = found.decision
    assert decision is not None
    owner = decision.owner_id
    routing = found.routing or {}
    if not owner and not routing:
        return
    name = f"{found.owners.get(owner, owner)} (owner id {owner})" if owner else "nobody"
    console.print(f"Owner: {name}")
    if routing.get("reason"):
        console.print(f"  routed: {routing['reason']}")
    escalated = decision.memory.get("escalated_from") or []
    if escalated:
        console.print("  escalated from: " + ", ".join(found.owners.get(o, o) for o in escalated))


def _print_history(console: Console, found: Explanation) -> None:
    if not found.history:
        return
    table = Table("When (UTC)", "From", "To", "By", "Why", title="Stage history", title_justify="left")
    for move in found.history:
        table.add_row(
            f"{move.at:%Y-%m-%d %H:%M}", move.from_stage or "—", move.to_stage, move.actor, move.detail
        )
    console.print(table)


def _print_clocks(console: Console, found: Explanation, now: datetime) -> None:
    decision = found.decision
    if decision is None or not decision.clocks:
        return
    table = Table("Clock", "Owner", "Due", "Status", "Met by", title="SLA clocks", title_justify="left")
    owner = found.owners.get(decision.owner_id or "", decision.owner_id or "—")
    for clock in decision.clocks:
        met_at = datetime.fromisoformat(clock["met_at"]) if clock.get("met_at") else None
        met = f"{clock['met_by']} {age(met_at, now)}" if met_at else "—"
        due = datetime.fromisoformat(clock["due_at"])
        table.add_row(clock["name"], owner, f"{due:%Y-%m-%d %H:%M} UTC", clock["status"], met)
    console.print(table)


def _print_pending(console: Console, found: Explanation, now: datetime) -> None:
    for row in found.pending:
        if isinstance(row.payload, FieldWrite):
            what = ", ".join(f"{k.value}={v!r}" for k, v in row.payload.fields.items())
        else:
            what = row.kind.value
        console.print(f"Pending write ({row.status.value}, {row.attempts} attempts): {what}")
    for item in found.quarantined:
        console.print(f"[red]Error[/red] {age(item.last_seen, now)}: {item.error}")
    for failure in found.failures:
        console.print(f"[red]Error[/red] {age(failure.written_at, now)}: {failure.error}")


def _budget(rt: Runtime) -> tuple[Budget | None, str | None]:
    try:
        return rt.connector.budget(), None
    except CrmError as error:
        return None, str(error)


def _print_status(
    console: Console, snapshot: StatusView, budget: Budget | None, budget_error: str | None, now: datetime
) -> None:
    console.print(f"CRM [bold]{snapshot.crm}[/bold] · {snapshot.contacts} contacts mirrored")
    runs = Table(
        "Run",
        "Kind",
        "Started",
        "Status",
        "Pulled",
        "Evaluated",
        "Written",
        "Errors",
        "Quarantined",
        title="Recent runs",
        title_justify="left",
    )
    for run in snapshot.runs:
        status = "abandoned (process gone)" if run.gone else run.status.value
        runs.add_row(
            str(run.id),
            run.kind,
            age(run.started_at, now),
            status,
            str(run.counts.pulled),
            str(run.counts.evaluated),
            str(run.counts.written),
            str(run.counts.write_errors),
            str(run.counts.quarantined),
        )
    console.print(runs)
    for position in snapshot.cursors:
        cursor = position.cursor
        progress = f" (window in progress, resumes after {cursor.resume})" if cursor.window_end else ""
        value = f"{cursor.value:%Y-%m-%d %H:%M:%S} UTC" if cursor.value else "not started"
        console.print(f"Cursor {position.stream}: {value}{progress}")
    depth = (
        ", ".join(f"{status.value} {count}" for status, count in sorted(snapshot.outbox.items())) or "empty"
    )
    console.print(f"Outbox: {depth}")
    console.print(f"Quarantine: {snapshot.quarantine_count} record(s)")
    for item in snapshot.quarantine:
        console.print(
            f"  {item.stream} {item.record_id}: {item.error} (×{item.count}, {age(item.last_seen, now)})"
        )
    console.print(f"API budget: {_budget_text(budget, budget_error)}")


def _budget_text(budget: Budget | None, budget_error: str | None) -> str:
    if budget_error:
        return f"unavailable ({budget_error})"
    if budget is None or budget.remaining is None:
        return "not reported by this CRM"
    resets = f", resets {budget.resets_at:%Y-%m-%d %H:%M} UTC" if budget.resets_at else ""
    return f"{budget.remaining} of {budget.limit} left{resets}"


def _status_json(snapshot: StatusView, budget: Budget | None, budget_error: str | None) -> dict[str, Any]:
    runs = []
    for run in snapshot.runs:
        plain = _plain(run)
        if run.gone:
            plain["status"] = RunStatus.ABANDONED.value
        runs.append(plain)
    return {
        "crm": snapshot.crm,
        "contacts": snapshot.contacts,
        "runs": runs,
        "cursors": [_plain(position) for position in snapshot.cursors],
        "outbox": {status.value: count for status, count in snapshot.outbox.items()},
        "quarantine": {
            "count": snapshot.quarantine_count,
            "latest": [_plain(q) for q in snapshot.quarantine],
        },
        "budget": None if budget is None else _plain(budget),
        "budget_error": budget_error,
    }


def _plain(value: Any) -> Any:
    """Dataclasses, enums and payloads as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return value.to_dict()
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "_asdict"):
        return {key: _plain(item) for key, item in value._asdict().items()}
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "later"
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 172_800:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
