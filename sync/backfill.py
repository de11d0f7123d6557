"""Backfill: re-pull and re-decide a slice of history, or (dry run) say what that would change.

A real backfill is a cycle over a fixed window with its own cursor, so it resumes where it stopped,
and it decides and writes each page before it reads the next. A dry run reads the same pages and
decides each one through the same decide path, on a preview of what the mirror would hold, and
writes nothing anywhere: it counts the stage moves and field changes the backfill would make and
keeps a small sample to show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from handoff.connectors.protocol import Window
from handoff.lifecycle.decision import Decision
from handoff.store.leads import StoredLead
from handoff.store.owners import StoredOwner
from handoff.store.runs import RunStatus, recorded_run
from handoff.sync.cycle import PageDecider
from handoff.sync.decide import DecideCounts, decide_batch, routing_context
from handoff.sync.flush import flush_outbox
from handoff.sync.outcomes import pull_deals
from handoff.sync.pull import Ingested, pull_activities, pull_changes, refresh_owners, with_past
from handoff.sync.runtime import Runtime

SAMPLE_SIZE = 10
Progress = Callable[[str, int], None]


@dataclass
class BackfillReport:
    window: Window
    pulled: int = 0
    evaluated: int = 0
    changed: int = 0
    sent: int = 0
    failed: int = 0
    quarantined: int = 0
    moves: Counter[str] = field(default_factory=Counter)
    fields: Counter[str] = field(default_factory=Counter)
    owner_changes: int = 0
    escalations: int = 0
    tasks: int = 0
    chat_messages: int = 0
    sample: list[dict[str, str]] = field(default_factory=list)
    task_sample: list[str] = field(default_factory=list)


def backfill(rt: Runtime, since: datetime, until: datetime, *, progress: Progress) -> BackfillReport:
    """Pull the window page by page, deciding and writing each page before pulling the next.

    Searches and writes draw on separate CRM limits, so one refills while the other works, and the
    first leads reach the CRM in seconds rather than after the whole window has been read."""
    window = Window(since, until)
    report = BackfillReport(window)
    stream = f"backfill:{since.isoformat()}..{until.isoformat()}"
    now = rt.clock()

    decided = DecideCounts()

    def settle(ingested: Ingested) -> None:
        progress("pulled", ingested.pulled)
        before = decided.evaluated
        deciding(ingested)
        progress("evaluated", decided.evaluated - before)
        flushed = flush_outbox(rt, now)
        progress("written", flushed.sent)
        report.sent += flushed.sent
        report.failed += flushed.failed + flushed.dead

    with recorded_run(rt.store, "backfill", rt.clock) as run:
        refresh_owners(rt, now, force=True)
        deciding = PageDecider(rt, now, decided)
        pulled = pull_changes(rt, now, stream=stream, window=window, force=True, on_page=settle)
        outcomes = pull_deals(rt, now, stream=f"deals:{stream}", window=window)
        report.pulled, report.quarantined = pulled.pulled, pulled.quarantined + outcomes.quarantined
        report.evaluated, report.changed = decided.evaluated, decided.queued
        report.tasks = decided.notices
        run.counts.pulled, run.counts.evaluated, run.counts.written = (
            report.pulled,
            report.evaluated,
            report.sent,
        )
        run.counts.write_errors, run.counts.quarantined = report.failed, report.quarantined
        run.status = RunStatus.OK if pulled.complete and outcomes.complete else RunStatus.STOPPED
    return report


def dry_run(
    rt: Runtime,
    since: datetime | None,
    until: datetime,
    *,
    progress: Progress,
    on_decision: Callable[[Decision], None] | None = None,
) -> BackfillReport:
    """Pull and decide page by page through the one decide path, saving and writing nothing.

    Memory stays that of one page: decisions are counted, sampled and handed to `on_decision`,
    never kept."""
    window = Window(since, until)
    report = BackfillReport(window)
    now = rt.clock()
    with recorded_run(rt.store, "dry_run", rt.clock) as run:
        # The CRM's owners as a real backfill would refresh them first, read but not saved.
        owners = [
            StoredOwner(o.id, o.email, o.name, o.active, o.is_queue).as_owner()
            for o in rt.connector.pull_owners()
        ]
        context = routing_context(rt, owners)
        for page in rt.connector.pull_contacts(window):
            with rt.store.begin() as tx:
                known = tx.mirror.known([r.contact.id for r in page.contacts])
            pulled = pull_activities(rt, page.contacts, {})
            records = with_past(rt, page.contacts, known)
            with rt.store.begin() as tx:
                leads = tx.leads.preview(records, pulled.by_contact, now, rt.retention)
                # In the order the real run decides a page: by contact id.
                leads.sort(key=lambda lead: lead.id)
                batch = decide_batch(tx, leads, context, rt, now)
            context = batch.context
            report.pulled += len(page.contacts)
            report.quarantined += len(page.rejected) + len(pulled.rejected) + len(batch.refused)
            for lead, decision in zip(batch.leads, batch.decisions, strict=True):
                _tally(report, lead, decision, len(rt.channels))
                if on_decision is not None:
                    on_decision(decision)
            progress("pulled", len(page.contacts))
        run.counts.pulled, run.counts.evaluated, run.counts.quarantined = (
            report.pulled,
            report.evaluated,
            report.quarantined,
        )
    return report


def _tally(report: BackfillReport, lead: StoredLead, decision: Decision, channels: int) -> None:
    """Count what the decision would do to the CRM and to reps, and sample the real changes: a
    stage move or an owner change (a lead that only gets a new score is counted, not shown)."""
    report.evaluated += 1
    report.tasks += len(decision.notices)
    report.chat_messages += len(decision.notices) * channels
    for notice in decision.notices:
        if len(report.task_sample) < SAMPLE_SIZE:
            report.task_sample.append(f"{notice.subject} (to {notice.owner_id})")
    changes = decision.changes or {}
    if not changes:
        return
    report.changed += 1
    report.fields.update(f.value for f in changes)
    before = decision.previous_stage.value if decision.previous_stage else "new"
    after = decision.stage.value
    move = f"{before} → {after}" if before != after else f"stays {after}"
    if before != after:
        report.moves[move] += 1
    owner = ""
    if decision.owner_changed:
        report.owner_changes += 1
        report.escalations += bool(decision.routing and decision.routing.escalated)
        owner = f"{decision.previous_owner_id or 'nobody'} → {decision.owner_id or 'nobody'}"
    if (before != after or owner) and len(report.sample) < SAMPLE_SIZE:
        contact = lead.lead.contact
        report.sample.append(
            {
                "id": contact.id,
                "email": contact.email or "",
                "move": move,
                "owner": owner,
                "why": decision.summary,
            }
        )
