"""`handoff demo`: the whole loop, end to end, on an accelerated working day.

A local HubSpot sandbox serves a synthetic company (Acme Analytics) whose leads arrive, request
demos and read pricing pages, and whose reps accept, call, document BANT and reject with reasons.
handoff runs against it over HTTP with the real `hubspot-api-client`, on SQLite, exactly as in
production except for the clock: simulated time moves in 15-minute steps. Then it shows what reps
see in their CRM and `handoff explain` for two leads. Everything it starts, it stops.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from handoff.config.loader import load_policy
from handoff.config.settings import Settings
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.hubspot.setup import setup
from handoff.connectors.protocol import OutputField
from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock, Simulation
from handoff.store.db import transaction
from handoff.store.models import CONTACT, DECISION, OUTBOX, OWNER, STAGE_HISTORY
from handoff.sync.cli.inspect import print_explanation
from handoff.sync.inspect import explain
from handoff.sync.pipeline import run_cycle, run_sla_tick
from handoff.sync.runtime import Runtime, build_runtime

NEW_YORK = ZoneInfo("America/New_York")
SEED = 7
CONTACTS = 250
TIER = "professional"
DAY_START = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)  # Monday 08:30 in New York
DAY_END = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 18:00 in New York
STEP = timedelta(minutes=15)
SIM_LABELS = {
    "accepted": "accepted the lead",
    "call_logged": "logged a call",
    "email_sent": "emailed the lead",
    "evidence": "documented qualification evidence",
    "rejected": "rejected the lead",
    "opportunity": "created a deal",
}


def run_demo(console: Console) -> None:
    with tempfile.TemporaryDirectory(prefix="handoff-demo-") as folder:
        clock = SimulatedClock(DAY_START)
        sandbox = HubSpotSandbox(seed=SEED, tier=TIER, clock=clock)
        base_url = sandbox.start()
        rt: Runtime | None = None
        try:
            sandbox.seed_company(contacts=CONTACTS)
            policy = load_policy()
            connector = HubSpotConnector.connect(
                sandbox.token, base_url, tier=TIER, policy=policy, clock=clock
            )
            settings = Settings(
                crm="hubspot", database_url=f"sqlite:///{folder}/handoff.db", hubspot_base_url=base_url
            )
            rt = build_runtime(settings, clock=clock, connector=connector)
            _setup(console, connector, policy)
            _day(console, rt, sandbox, clock)
            shown = _crm_view(console, rt, connector)
            _explain(console, rt, shown)
        finally:
            sandbox.stop()
            if rt is not None:
                rt.engine.dispose()


def _setup(console: Console, connector: HubSpotConnector, policy: Any) -> None:
    console.rule("[bold]1. handoff setup[/bold]: the fields handoff writes, created in HubSpot")
    report = setup(connector.client, policy)
    console.print(
        f"Created {len(report.created)}: " + ", ".join(name.split(".")[-1] for name in report.created)
    )


def _day(console: Console, rt: Runtime, sandbox: HubSpotSandbox, clock: SimulatedClock) -> None:
    console.rule("[bold]2. A working day at Acme Analytics[/bold] (15-minute steps, New York time)")
    first = run_cycle(rt)
    console.print(
        f"08:30 first cycle: {first.pulled} contacts pulled, {first.evaluated} evaluated, "
        f"{first.moved} stage moves, {first.sent} writes "
        "(scores and reasons for every lead, owners and tasks for MQLs)"
    )
    simulation = Simulation(sandbox.state, SEED, profile="demo_day")
    names = _people(rt)
    moment = DAY_START
    totals: Counter[str] = Counter()
    while moment < DAY_END:
        moment += STEP
        clock.set(moment)
        events = simulation.advance(moment)
        run_cycle(rt)
        run_sla_tick(rt)
        for line in _narrate(rt, moment, events, names, totals):
            console.print(f"{_local(moment)} {line}")
    console.print(
        f"Day total: {totals['moves']} stage moves, {totals['assigned']} assignments, "
        f"{totals['escalated']} escalations, {totals['sla']} SLA warnings or breaches, "
        f"{totals['rep']} rep actions in the CRM"
    )


def _narrate(
    rt: Runtime, moment: datetime, events: list[Any], names: dict[str, str], totals: Counter[str]
) -> list[str]:
    lines = []
    for event in events:
        label = SIM_LABELS.get(event.kind)
        if label and event.owner_id:
            totals["rep"] += 1
            lines.append(
                f"[dim]rep[/dim]   {names.get(event.owner_id, event.owner_id)} {label}: "
                f"{_who(rt, event.contact_id)}"
            )
        elif event.kind in ("demo_request", "new_lead", "form_submission"):
            lines.append(f"[dim]lead[/dim]  {_who(rt, event.contact_id)}: {event.detail or event.kind}")
    with transaction(rt.engine) as connection:
        moves = connection.execute(
            select(STAGE_HISTORY).where(STAGE_HISTORY.c.at == moment, STAGE_HISTORY.c.actor == "handoff")
        ).all()
        tasks = connection.execute(
            select(OUTBOX.c.contact_id, OUTBOX.c.dedupe_key, OUTBOX.c.payload).where(
                OUTBOX.c.kind == "task", OUTBOX.c.created_at == moment
            )
        ).all()
    for move in moves:
        if move.from_stage is None:
            continue
        totals["moves"] += 1
        lines.append(
            f"[bold]stage[/bold] {_who(rt, move.contact_id)}: {move.from_stage} → {move.to_stage} "
            f"({move.detail})"
        )
    for task in tasks:
        kind = task.dedupe_key.split(":")[0]
        escalated = task.payload["subject"].startswith("Escalated")
        totals["escalated" if escalated else ("assigned" if kind == "assigned" else "sla")] += 1
        owner = names.get(task.payload["owner_id"], task.payload["owner_id"])
        lines.append(f"[bold]task[/bold]  for {owner}: {task.payload['subject']}")
    return lines


def _crm_view(console: Console, rt: Runtime, connector: HubSpotConnector) -> list[str]:
    console.rule("[bold]3. What reps now see in HubSpot[/bold] (the leads handoff handed off today)")
    handed = _handed_off_today(rt)
    page = connector.pull_contacts_by_id(handed)
    names = _people(rt)
    table = Table("Lead", "Stage", "Owner", "Score", "handoff_reason", "SLA due (NY)", "SLA", show_lines=True)
    for record in sorted(page.contacts, key=lambda r: handed.index(r.contact.id)):
        fields = record.written
        due = fields.get(OutputField.SLA_DUE_AT)
        owner = fields.get(OutputField.OWNER) or ""
        table.add_row(
            f"{record.contact.name}\n{record.contact.company.name or ''}",
            fields.get(OutputField.STAGE) or "",
            names.get(owner, owner),
            fields.get(OutputField.SCORE) or "",
            fields.get(OutputField.REASON) or "",
            _local(datetime.fromisoformat(due), dated=True) if due else "",
            fields.get(OutputField.SLA_STATUS) or "",
        )
    console.print(table)
    _tasks(console, rt, names)
    return handed


def _handed_off_today(rt: Runtime) -> list[str]:
    """Leads that handoff moved or assigned during the demo day, furthest along first."""
    with transaction(rt.engine) as connection:
        moved = {
            contact_id
            for (contact_id,) in connection.execute(
                select(STAGE_HISTORY.c.contact_id).where(
                    STAGE_HISTORY.c.at > DAY_START, STAGE_HISTORY.c.actor == "handoff"
                )
            )
        }
        told = {
            contact_id
            for (contact_id,) in connection.execute(
                select(OUTBOX.c.contact_id).where(OUTBOX.c.kind == "task", OUTBOX.c.created_at > DAY_START)
            )
        }
        rows = connection.execute(
            select(DECISION.c.contact_id, DECISION.c.stage, DECISION.c.score).where(
                DECISION.c.contact_id.in_(moved | told)
            )
        ).all()
    order = {"sql": 0, "sal": 1, "mql": 2, "recycled": 3, "disqualified": 4}
    return [row.contact_id for row in sorted(rows, key=lambda r: (order.get(r.stage, 5), -r.score))]


def _tasks(console: Console, rt: Runtime, names: dict[str, str]) -> None:
    with transaction(rt.engine) as connection:
        sent = connection.execute(
            select(OUTBOX.c.payload)
            .where(OUTBOX.c.kind == "task", OUTBOX.c.status == "sent")
            .order_by(OUTBOX.c.id)
        ).all()
    by_owner: dict[str, list[str]] = {}
    for (payload,) in sent:
        by_owner.setdefault(names.get(payload["owner_id"], payload["owner_id"]), []).append(
            payload["subject"]
        )
    console.print(f"[bold]Their HubSpot tasks[/bold] ({len(sent)} created by handoff today):")
    for owner, subjects in sorted(by_owner.items()):
        console.print(f"  {owner}: {len(subjects)} — latest: {subjects[-1]}")


def _explain(console: Console, rt: Runtime, handed: list[str]) -> None:
    """Two leads worth a look: one that was escalated, and the one furthest along."""
    with transaction(rt.engine) as connection:
        escalated = {
            row.contact_id
            for row in connection.execute(
                select(DECISION.c.contact_id, DECISION.c.escalated_from).where(
                    DECISION.c.contact_id.in_(handed)
                )
            )
            if row.escalated_from
        }
    picks = [
        next((c for c in handed if c in escalated), None),
        next((c for c in handed if c not in escalated), None),
    ]
    for number, contact_id in enumerate([c for c in picks if c], start=4):
        found = explain(rt, contact_id)
        if found is None:
            continue
        console.rule(f"[bold]{number}. handoff explain {contact_id}[/bold]")
        print_explanation(console, found, rt.clock())


def _people(rt: Runtime) -> dict[str, str]:
    with transaction(rt.engine) as connection:
        return {row.id: row.name for row in connection.execute(select(OWNER.c.id, OWNER.c.name))}


def _who(rt: Runtime, contact_id: str) -> str:
    with transaction(rt.engine) as connection:
        data = connection.execute(select(CONTACT.c.data).where(CONTACT.c.id == contact_id)).scalar()
    if not data:
        return f"contact {contact_id}"
    name = (
        " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        or data.get("email")
        or contact_id
    )
    company = (data.get("company") or {}).get("name")
    return f"{name} ({company})" if company else name


def _local(moment: datetime, *, dated: bool = False) -> str:
    local = moment.astimezone(NEW_YORK)
    if dated and local.date() != DAY_START.astimezone(NEW_YORK).date():
        return f"{local:%a %d %b %H:%M}"
    return f"{local:%H:%M}"
