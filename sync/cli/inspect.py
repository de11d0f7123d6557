"""`handoff status` and `handoff explain`: readable on a terminal, `--json` for machines."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from handoff.sync.cli.context import runtime_or_exit
from handoff.sync.inspect import Explanation, Status, age, explain, status


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option(
    "--runs", default=10, show_default=True, type=click.IntRange(1, 500), help="How many recent runs to show."
)
def status_command(as_json: bool, runs: int) -> None:
    """Last runs, cursor positions, outbox depth, quarantine and the CRM's API budget."""
    rt = runtime_or_exit()
    snapshot = status(rt, runs=runs)
    if as_json:
        click.echo(json.dumps(_status_json(snapshot), default=_default, indent=2))
        return
    _print_status(Console(), snapshot, rt.clock())


@click.command("explain")
@click.argument("contact")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def explain_command(contact: str, as_json: bool) -> None:
    """Why CONTACT (a CRM id or an email) has its score, stage, owner and SLA."""
    rt = runtime_or_exit()
    found = explain(rt, contact)
    if found is None:
        click.echo(f"handoff: no contact {contact!r} in the mirror (run `handoff sync` first?)", err=True)
        raise SystemExit(1)
    if as_json:
        click.echo(json.dumps(_explanation_json(found), default=_default, indent=2))
        return
    print_explanation(Console(), found, rt.clock())


def print_explanation(console: Console, found: Explanation, now: datetime) -> None:
    contact = found.contact["data"]
    name = (
        " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p)
        or contact.get("email")
        or contact["id"]
    )
    company = (contact.get("company") or {}).get("name") or "no company"
    console.print(
        f"[bold]{name}[/bold] — {contact.get('title') or 'no title'}, {company} (id {contact['id']})"
    )
    decision = found.decision
    if decision is None:
        console.print("Not evaluated yet.")
        return
    console.print(
        f"Stage [bold]{decision['stage'].upper()}[/bold] · score {decision['score']} "
        f"(fit {decision['fit']} + behaviour {decision['behavior']}) · "
        f"evaluated {age(decision['evaluated_at'], now)} "
        f"with policy {decision['policy_version']}"
    )
    console.print(f"Reason in the CRM: {decision['summary']}")
    points = Table("Rule", "Points", "Evidence", title="Score", title_justify="left", expand=False)
    for reason in decision["reasons"]:
        if "points" in reason:
            points.add_row(reason["rule"], f"{reason['points']:+d}", reason["detail"])
    console.print(points)
    for reason in decision["reasons"]:
        if "signal" in reason:
            console.print(f"  • {reason['detail']}  [dim]({reason['rule']}, {reason['signal']})[/dim]")
    for problem in decision["problems"]:
        console.print(f"[red]Problem:[/red] {problem}")
    _print_owner(console, decision, found.owners)
    _print_history(console, found)
    _print_clocks(console, found, now)
    _print_pending(console, found, now)


def _print_owner(console: Console, decision: dict[str, Any], owners: dict[str, str]) -> None:
    owner = decision.get("owner_id")
    routing = decision.get("routing") or {}
    if not owner and not routing:
        return
    name = f"{owners.get(owner, owner)} (owner id {owner})" if owner else "nobody"
    console.print(f"Owner: {name}")
    if routing.get("reason"):
        console.print(f"  routed: {routing['reason']}")
    if decision.get("escalated_from"):
        console.print("  escalated from: " + ", ".join(owners.get(o, o) for o in decision["escalated_from"]))


def _print_history(console: Console, found: Explanation) -> None:
    if not found.history:
        return
    table = Table("When", "From", "To", "By", "Why", title="Stage history", title_justify="left")
    for move in found.history:
        table.add_row(
            f"{move['at']:%Y-%m-%d %H:%M}",
            move["from_stage"] or "—",
            move["to_stage"],
            move["actor"],
            move["detail"],
        )
    console.print(table)


def _print_clocks(console: Console, found: Explanation, now: datetime) -> None:
    if not found.clocks:
        return
    table = Table("Clock", "Owner", "Due", "Status", "Met by", title="SLA clocks", title_justify="left")
    for clock in found.clocks:
        met = f"{clock['met_by']} {age(clock['met_at'], now)}" if clock.get("met_at") else "—"
        owner = found.owners.get(clock.get("owner_id") or "", clock.get("owner_id") or "—")
        table.add_row(clock["name"], owner, f"{clock['due_at']:%Y-%m-%d %H:%M} UTC", clock["status"], met)
    console.print(table)


def _print_pending(console: Console, found: Explanation, now: datetime) -> None:
    for row in found.pending:
        what = ", ".join(f"{k}={v!r}" for k, v in (row["payload"].get("fields") or {}).items()) or row["kind"]
        console.print(f"Pending write ({row['status']}, {row['attempts']} attempts): {what}")
    for error in found.errors:
        when = error.get("last_seen") or error.get("written_at")
        console.print(f"[red]Error[/red] {age(when, now)}: {error.get('error')}")


def _print_status(console: Console, snapshot: Status, now: datetime) -> None:
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
        runs.add_row(
            str(run["id"]),
            run["kind"],
            age(run["started_at"], now),
            run["status"],
            str(run["pulled"]),
            str(run["evaluated"]),
            str(run["written"]),
            str(run["write_errors"]),
            str(run["quarantined"]),
        )
    console.print(runs)
    for cursor in snapshot.cursors:
        progress = f" (window in progress, resumes after {cursor['resume']})" if cursor["window_end"] else ""
        value = f"{cursor['value']:%Y-%m-%d %H:%M:%S} UTC" if cursor["value"] else "not started"
        console.print(f"Cursor {cursor['stream']}: {value}{progress}")
    depth = ", ".join(f"{status} {count}" for status, count in sorted(snapshot.outbox.items())) or "empty"
    console.print(f"Outbox: {depth}")
    console.print(f"Quarantine: {snapshot.quarantine_count} record(s)")
    for item in snapshot.quarantine:
        console.print(
            f"  {item['stream']} {item['record_id']}: {item['error']} "
            f"(×{item['count']}, {age(item['last_seen'], now)})"
        )
    console.print(f"API budget: {_budget_text(snapshot)}")


def _budget_text(snapshot: Status) -> str:
    if snapshot.budget_error:
        return f"unavailable ({snapshot.budget_error})"
    budget = snapshot.budget
    if budget is None or budget.remaining is None:
        return "not reported by this CRM"
    resets = f", resets {budget.resets_at:%Y-%m-%d %H:%M} UTC" if budget.resets_at else ""
    return f"{budget.remaining} of {budget.limit} left{resets}"


def _status_json(snapshot: Status) -> dict[str, Any]:
    budget = snapshot.budget
    return {
        "crm": snapshot.crm,
        "contacts": snapshot.contacts,
        "runs": snapshot.runs,
        "cursors": snapshot.cursors,
        "outbox": snapshot.outbox,
        "quarantine": {"count": snapshot.quarantine_count, "latest": snapshot.quarantine},
        "budget": None
        if budget is None
        else {"remaining": budget.remaining, "limit": budget.limit, "resets_at": budget.resets_at},
        "budget_error": snapshot.budget_error,
    }


def _explanation_json(found: Explanation) -> dict[str, Any]:
    contact = dict(found.contact)
    contact.pop("activities", None)
    return {
        "contact": contact,
        "decision": found.decision,
        "history": found.history,
        "sla_clocks": found.clocks,
        "pending_writes": found.pending,
        "errors": found.errors,
    }


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
