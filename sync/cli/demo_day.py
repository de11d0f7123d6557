"""`handoff demo`: the whole loop, end to end, on an accelerated working day.

A local CRM sandbox (the registry names it) serves a synthetic company (Acme Analytics) whose leads
arrive, request demos and read pricing pages, and whose reps accept, call, document BANT and reject
with reasons. handoff runs against it over HTTP with the CRM's real client library, on SQLite,
exactly as in production except for the clock: simulated time moves in 15-minute steps. Then it
shows what reps see in their CRM and `handoff explain` for two leads. Everything it starts, it stops.
"""

from __future__ import annotations

import importlib
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from handoff.config.loader import load_policy
from handoff.config.policy import Policy
from handoff.config.settings import Settings
from handoff.connectors import registry
from handoff.connectors.registry import Plugin
from handoff.lifecycle.outputs import OutputField
from handoff.store.outbox import OutboxKind, OutboxStatus, TaskWrite
from handoff.sync.cli.inspect import print_explanation
from handoff.sync.cycle import run_cycle, run_sla_tick
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


def run_demo(console: Console, crm: str | None = None) -> None:
    plugin = registry.plugin(crm or registry.with_sandbox()[0])
    if plugin.sandbox is None:
        raise ValueError(f"there is no sandbox for the {crm} CRM")
    sandbox: Any = importlib.import_module(plugin.sandbox)
    with tempfile.TemporaryDirectory(prefix="handoff-demo-") as folder:
        clock = sandbox.SimulatedClock(DAY_START)
        emulator = sandbox.Emulator(seed=SEED, tier=TIER, clock=clock)
        emulator.start()
        rt: Runtime | None = None
        try:
            emulator.seed_company(CONTACTS)
            policy = load_policy()
            crm_settings = plugin.settings(**emulator.crm_settings())
            connector = plugin.connect(crm_settings, policy, clock)
            settings = Settings(crm=plugin.name, database_url=f"sqlite:///{folder}/handoff.db")
            rt = build_runtime(settings, clock=clock, connector=connector, crm_settings=crm_settings)
            _setup(console, plugin, rt, policy)
            _day(console, rt, emulator.simulation("demo_day"), clock)
            shown = _crm_view(console, rt, plugin.label)
            _explain(console, rt, shown)
        finally:
            emulator.stop()
            if rt is not None:
                rt.close()


def _setup(console: Console, plugin: Plugin, rt: Runtime, policy: Policy) -> None:
    console.rule(f"[bold]1. handoff setup[/bold]: the fields handoff writes, created in {plugin.label}")
    if plugin.setup is None:
        return
    report = plugin.setup(rt.connector, policy)
    console.print(
        f"Created {len(report.created)}: " + ", ".join(name.split(".")[-1] for name in report.created)
    )


def _day(console: Console, rt: Runtime, advance: Any, clock: Any) -> None:
    console.rule("[bold]2. A working day at Acme Analytics[/bold] (15-minute steps, New York time)")
    first = run_cycle(rt)
    console.print(
        f"08:30 first cycle: {first.pulled} contacts pulled, {first.evaluated} evaluated, "
        f"{first.moved} stage moves, {first.sent} writes "
        "(scores and reasons for every lead, owners and tasks for MQLs)"
    )
    names = _people(rt)
    moment = DAY_START
    totals: Counter[str] = Counter()
    while moment < DAY_END:
        moment += STEP
        clock.set(moment)
        events = advance(moment)
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
    with rt.store.begin() as tx:
        moves = tx.views.moves(moment, moment, actor="handoff")
        tasks = tx.outbox.created(OutboxKind.TASK, moment, moment)
        mentioned = sorted(
            {e.contact_id for e in events} | {cid for cid, _ in moves} | {t.contact_id for t in tasks}
        )
        profiles = tx.views.profiles(mentioned)
    lines = []
    for event in events:
        label = SIM_LABELS.get(event.kind)
        if label and event.owner_id:
            totals["rep"] += 1
            lines.append(
                f"[dim]rep[/dim]   {names.get(event.owner_id, event.owner_id)} {label}: "
                f"{_who(profiles, event.contact_id)}"
            )
        elif event.kind in ("demo_request", "new_lead", "form_submission"):
            lines.append(f"[dim]lead[/dim]  {_who(profiles, event.contact_id)}: {event.detail or event.kind}")
    for contact_id, move in moves:
        if move.from_stage is None:
            continue
        totals["moves"] += 1
        who = _who(profiles, contact_id)
        lines.append(f"[bold]stage[/bold] {who}: {move.from_stage} → {move.to_stage} ({move.detail})")
    for task in tasks:
        assert isinstance(task.payload, TaskWrite)
        kind = task.key.split(":")[0]
        escalated = task.payload.subject.startswith("Escalated")
        totals["escalated" if escalated else ("assigned" if kind == "assigned" else "sla")] += 1
        owner = names.get(task.payload.owner_id, task.payload.owner_id)
        lines.append(f"[bold]task[/bold]  for {owner}: {task.payload.subject}")
    return lines


def _crm_view(console: Console, rt: Runtime, crm: str) -> list[str]:
    console.rule(f"[bold]3. What reps now see in {crm}[/bold] (the leads handoff handed off today)")
    handed = _handed_off_today(rt)
    page = rt.connector.pull_contacts_by_id(handed)
    names = _people(rt)
    table = Table("Lead", "Stage", "Owner", "Score", "handoff reason", "SLA due (NY)", "SLA", show_lines=True)
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
    _tasks(console, rt, names, crm)
    return handed


def _handed_off_today(rt: Runtime) -> list[str]:
    """Leads that handoff moved or assigned during the demo day, furthest along first."""
    since = DAY_START + timedelta(microseconds=1)
    with rt.store.begin() as tx:
        moved = {contact_id for contact_id, _ in tx.views.moves(since, actor="handoff")}
        told = {task.contact_id for task in tx.outbox.created(OutboxKind.TASK, since)}
        decisions = tx.views.latest_decisions(sorted(moved | told))
    order = {"sql": 0, "sal": 1, "mql": 2, "recycled": 3, "disqualified": 4}
    ranked = sorted(
        decisions.items(), key=lambda item: (order.get(item[1].stage, 5), -item[1].score, item[0])
    )
    return [contact_id for contact_id, _ in ranked]


def _tasks(console: Console, rt: Runtime, names: dict[str, str], crm: str) -> None:
    with rt.store.begin() as tx:
        created = tx.outbox.created(OutboxKind.TASK, DAY_START)
    sent = [t for t in created if t.status is OutboxStatus.SENT]
    closed = sum(1 for t in created if t.status is OutboxStatus.CLOSED)
    by_owner: dict[str, list[str]] = {}
    for task in sent:
        assert isinstance(task.payload, TaskWrite)
        by_owner.setdefault(names.get(task.payload.owner_id, task.payload.owner_id), []).append(
            task.payload.subject
        )
    console.print(
        f"[bold]Their open {crm} tasks[/bold] ({len(sent)}; handoff created {len(sent) + closed} today "
        f"and completed {closed} whose lead moved on: escalated, accepted, disqualified):"
    )
    for owner, subjects in sorted(by_owner.items()):
        console.print(f"  {owner}: {len(subjects)} — latest: {subjects[-1]}")


def _explain(console: Console, rt: Runtime, handed: list[str]) -> None:
    """Two leads worth a look: one that was escalated, and the one furthest along."""
    with rt.store.begin() as tx:
        decisions = tx.views.latest_decisions(handed)
    escalated = {cid for cid, d in decisions.items() if d.memory.get("escalated_from")}
    picks = [
        next((c for c in handed if c in escalated), None),
        next((c for c in handed if c not in escalated), None),
    ]
    for number, contact_id in enumerate([c for c in picks if c], start=4):
        with rt.store.begin() as tx:
            found = tx.views.explain(contact_id)
        if found is None:
            continue
        console.rule(f"[bold]{number}. handoff explain {contact_id}[/bold]")
        print_explanation(console, found, rt.clock())


def _people(rt: Runtime) -> dict[str, str]:
    with rt.store.begin() as tx:
        return tx.owners.names()


def _who(profiles: dict[str, dict[str, Any]], contact_id: str) -> str:
    data = profiles.get(contact_id)
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
