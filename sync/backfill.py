"""Backfill: re-pull and re-evaluate a slice of history, or (dry run) say what that would change.

A real backfill is a cycle over a fixed window with its own cursor, so it resumes where it stopped.
A dry run keeps everything in memory one page at a time and writes nothing anywhere: it counts the
stage moves and field changes the backfill would make and keeps a small sample to show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from handoff.connectors.protocol import ContactPage, Window
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.records import Owner
from handoff.lifecycle.roster import RoutingContext
from handoff.store.db import transaction
from handoff.store.runs import fail_run, finish_run, start_run
from handoff.sync.desired import changed_fields, desired_fields
from handoff.sync.evaluation import as_decided, evaluate_pending, load_known
from handoff.sync.flush import flush_outbox
from handoff.sync.mirror import pull_changes, with_history
from handoff.sync.owners import load_routing_state, refresh_owners
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
    sample: list[dict[str, str]] = field(default_factory=list)


def backfill(rt: Runtime, since: datetime, until: datetime, *, progress: Progress) -> BackfillReport:
    """Pull the window page by page, deciding and writing each page before pulling the next.

    Searches and writes draw on separate CRM limits, so one refills while the other works, and the
    first leads reach the CRM in seconds rather than after the whole window has been read."""
    window = Window(since, until)
    report = BackfillReport(window)
    stream = f"backfill:{since.isoformat()}..{until.isoformat()}"
    now = rt.clock()

    def settle(pulled: int) -> None:
        progress("pulled", pulled)
        evaluated = evaluate_pending(rt, now)
        progress("evaluated", evaluated.evaluated)
        flushed = flush_outbox(rt, now)
        progress("written", flushed.sent)
        report.evaluated += evaluated.evaluated
        report.changed += evaluated.queued
        report.sent += flushed.sent
        report.failed += flushed.failed + flushed.dead

    run_id = start_run(rt.engine, rt.crm, "backfill", now)
    try:
        refresh_owners(rt, now, force=True)
        pulled = pull_changes(rt, now, stream=stream, window=window, force=True, on_page=settle)
    except BaseException as error:  # Ctrl-C too: the run must not stay "running"
        fail_run(rt.engine, run_id, error, rt.clock())
        raise
    report.pulled, report.quarantined = pulled.pulled, pulled.quarantined
    finish_run(
        rt.engine,
        run_id,
        "ok",
        rt.clock(),
        pulled=report.pulled,
        evaluated=report.evaluated,
        written=report.sent,
        write_errors=report.failed,
        quarantined=report.quarantined,
    )
    return report


def dry_run(rt: Runtime, since: datetime, until: datetime, *, progress: Progress) -> BackfillReport:
    """Pull and decide page by page, in memory only: routing included, nothing saved or written."""
    window = Window(since, until)
    report = BackfillReport(window)
    now = rt.clock()
    owners = rt.connector.pull_owners()
    with transaction(rt.engine) as connection:
        context = RoutingContext.of(
            [Owner(o.id, o.email, o.name, o.active, o.is_queue) for o in owners],
            load_routing_state(connection, rt.crm),
        )
    for page in rt.connector.pull_contacts(window):
        context = _dry_page(rt, page, now, report, context)
        progress("pulled", len(page.contacts))
    return report


def _dry_page(
    rt: Runtime, page: ContactPage, now: datetime, report: BackfillReport, context: RoutingContext
) -> RoutingContext:
    ids = [r.contact.id for r in page.contacts]
    pulled = rt.connector.pull_activities(ids, since=None).by_contact
    report.pulled += len(page.contacts)
    report.quarantined += len(page.rejected)
    accounts = {
        r.contact.company.domain.lower(): r.account_owner_id
        for r in page.contacts
        if r.account_owner_id and r.contact.company.domain
    }
    context = context._replace(account_owners={**context.account_owners, **accounts})
    # As the real run would see it, read only: what handoff already decided (stage times, owner,
    # pending writes) and the activity history the mirror keeps, so a dry run over a synced CRM
    # reports no change where a real run makes none.
    with transaction(rt.engine) as connection:
        known = load_known(connection, rt.crm, ids)
        activities = with_history(connection, rt.crm, {i: pulled.get(i, []) for i in ids}, now)
    for record in page.contacts:
        contact = as_decided(record.contact, known[record.contact.id], now)
        decision = evaluate(contact, activities[record.contact.id], rt.policy, now, routing=context)
        context = context.after(decision)
        report.evaluated += 1
        changes = changed_fields(desired_fields(decision), {f.value: v for f, v in record.written.items()})
        if not changes:
            continue
        report.changed += 1
        report.fields.update(f.value for f in changes)
        before = decision.previous_stage.value if decision.previous_stage else "new"
        after = decision.stage.value
        move = f"{before} → {after}" if before != after else f"stays {after}"
        if before != after:
            report.moves[move] += 1
        if len(report.sample) < SAMPLE_SIZE:
            report.sample.append(
                {
                    "id": record.contact.id,
                    "email": record.contact.email or "",
                    "move": move,
                    "why": decision.summary,
                }
            )
    return context
