"""One cycle: pull → decide → flush, recorded as a run.

Every step is restartable: the cursor moves with the data, decisions move with their outbox rows,
and the outbox remembers what is in flight. Killing a cycle anywhere and running it again loses no
change and applies none twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog

from handoff.connectors.errors import CrmError
from handoff.connectors.protocol import Window
from handoff.store.database import describe_error
from handoff.store.runs import Run, RunStatus, recorded_run
from handoff.sync.decide import DecideCounts, decide_due, decide_ingested, routing_context
from handoff.sync.flush import FlushCounts, flush_outbox
from handoff.sync.outcomes import DEALS_STREAM, pull_deals
from handoff.sync.pull import CONTACTS_STREAM, Ingested, PullCounts, ingest_page, pull_changes, refresh_owners
from handoff.sync.runtime import Runtime

log = structlog.get_logger("handoff.cycle")


@dataclass(frozen=True)
class CycleReport:
    run_id: int
    pulled: int
    evaluated: int
    moved: int
    queued: int
    sent: int
    failed: int
    dead: int
    quarantined: int
    complete: bool


def run_cycle(
    rt: Runtime,
    *,
    kind: str = "cycle",
    stream: str = CONTACTS_STREAM,
    window: Window | None = None,
    stop: threading.Event | None = None,
    pull: bool = True,
    force: bool = False,
) -> CycleReport:
    """Pull (unless `pull` is False: the SLA tick only re-decides due clocks), decide, flush."""
    now = rt.clock()
    started = time.perf_counter()
    try:
        with recorded_run(rt.store, kind, rt.clock) as run:
            log.info("cycle.start", kind=kind, run_id=run.id, crm=rt.crm)
            refresh_owners(rt, now, force=force)
            decided = DecideCounts()
            pulled = PullCounts()
            if pull:
                deciding = PageDecider(rt, now, decided)
                pulled = pull_changes(
                    rt, now, stream=stream, window=window, stop=stop, force=force, on_page=deciding
                )
            decided.add(decide_due(rt, now, stop=stop))
            flushed = flush_outbox(rt, now)
            if pull:
                # After the writes, so that the outcomes never hold up a decided change.
                # The reconcile re-reads every deal too: a deal whose only change was an association
                # may keep its modification date.
                deals = DEALS_STREAM if window is None else f"{DEALS_STREAM}:{stream}"
                outcomes = pull_deals(rt, now, stream=deals, window=window, stop=stop)
                pulled.quarantined += outcomes.quarantined
                pulled.complete = pulled.complete and outcomes.complete
            report = _report(run, pulled, decided, flushed)
    except BaseException as error:
        rt.metrics.cycles.labels(kind, "failed").inc()
        log.error("cycle.failed", kind=kind, crm=rt.crm, error=describe_error(error))
        raise
    _finish(rt, kind, report, time.perf_counter() - started)
    return report


class PageDecider:
    """Decides each page as it goes into the mirror, threading the routing state between pages."""

    def __init__(self, rt: Runtime, now: datetime, counts: DecideCounts) -> None:
        self.rt, self.now, self.counts = rt, now, counts
        self.context = routing_context(rt)

    def __call__(self, ingested: Ingested) -> None:
        counts, self.context = decide_ingested(self.rt, ingested, self.context, self.now)
        self.counts.add(counts)


def run_targeted(rt: Runtime, ids: Sequence[str], *, kind: str = "webhook") -> CycleReport:
    """Pull, decide and write these contacts now, outside the incremental cycle's rhythm (speed to
    lead: the webhook's contacts)."""
    now = rt.clock()
    started = time.perf_counter()
    with recorded_run(rt.store, kind, rt.clock) as run:
        page = rt.connector.pull_contacts_by_id(ids)
        ingested = ingest_page(rt, page, now)
        decided = decide_due(rt, now, ids=[record.contact.id for record in page.contacts])
        flushed = flush_outbox(rt, now)
        report = _report(
            run, PullCounts(pulled=len(page.contacts), quarantined=ingested.quarantined), decided, flushed
        )
    _finish(rt, kind, report, time.perf_counter() - started)
    return report


def _report(run: Run, pulled: PullCounts, decided: DecideCounts, flushed: FlushCounts) -> CycleReport:
    report = CycleReport(
        run_id=run.id,
        pulled=pulled.pulled,
        evaluated=decided.evaluated,
        moved=decided.moved,
        queued=decided.queued,
        sent=flushed.sent,
        failed=flushed.failed,
        dead=flushed.dead,
        quarantined=pulled.quarantined + flushed.dead,
        complete=pulled.complete and flushed.paused_until is None,
    )
    run.counts.pulled = report.pulled
    run.counts.evaluated = report.evaluated
    run.counts.written = report.sent
    run.counts.write_errors = report.failed + report.dead
    run.counts.quarantined = report.quarantined
    run.status = RunStatus.OK if report.complete else RunStatus.STOPPED
    return report


def _finish(rt: Runtime, kind: str, report: CycleReport, elapsed: float) -> None:
    status = RunStatus.OK if report.complete else RunStatus.STOPPED
    _observe_budget(rt)
    rt.metrics.cycles.labels(kind, status.value).inc()
    rt.metrics.cycle_seconds.labels(kind).observe(elapsed)
    rt.metrics.last_success.labels(kind).set(rt.clock().timestamp())
    log.info(
        "cycle.done",
        kind=kind,
        run_id=report.run_id,
        seconds=round(elapsed, 3),
        pulled=report.pulled,
        evaluated=report.evaluated,
        moved=report.moved,
        sent=report.sent,
        failed=report.failed,
        dead=report.dead,
        quarantined=report.quarantined,
    )


def _observe_budget(rt: Runtime) -> None:
    try:
        budget = rt.connector.budget()
    except CrmError as error:
        log.warning("budget.unknown", error=str(error))
        return
    if budget.remaining is not None:
        rt.metrics.api_budget.set(budget.remaining)


def run_sla_tick(rt: Runtime, *, stop: threading.Event | None = None) -> CycleReport:
    """Every minute: re-decide leads whose clocks are due (reminders, breaches, escalations)."""
    return run_cycle(rt, kind="sla_tick", pull=False, stop=stop)


def run_reconcile(rt: Runtime, *, stop: threading.Event | None = None) -> CycleReport:
    """Nightly: re-read everything and re-diff it, repairing drift between handoff and the CRM;
    then drop history older than the retention."""
    window = Window(None, rt.clock())
    report = run_cycle(rt, kind="reconcile", stream="reconcile", window=window, stop=stop, force=True)
    with rt.store.begin() as tx:
        tx.prune(rt.clock() - rt.retention)
    return report
