"""One cycle: pull → evaluate → flush, recorded as a sync run.

Every step is restartable: the cursor moves with the data, decisions move with their outbox rows,
and the outbox remembers what is in flight. Killing a cycle anywhere and running it again loses no
change and applies none twice.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import structlog

from handoff.connectors.errors import CrmError
from handoff.connectors.protocol import Window
from handoff.store.runs import fail_run, finish_run, start_run
from handoff.sync.evaluation import evaluate_pending
from handoff.sync.flush import flush_outbox
from handoff.sync.mirror import CONTACTS_STREAM, PullCounts, pull_changes
from handoff.sync.owners import refresh_owners
from handoff.sync.runtime import Runtime

log = structlog.get_logger("handoff.pipeline")


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
    """Pull (unless `pull` is False: the SLA tick only re-evaluates due clocks), evaluate, flush."""
    now = rt.clock()
    run_id = start_run(rt.engine, rt.crm, kind, now)
    started = time.perf_counter()
    log.info("cycle.start", kind=kind, run_id=run_id, crm=rt.crm)
    try:
        refresh_owners(rt, now, force=force)
        pulled = (
            pull_changes(rt, now, stream=stream, window=window, stop=stop, force=force)
            if pull
            else PullCounts()
        )
        evaluated = evaluate_pending(rt, now, stop=stop)
        flushed = flush_outbox(rt, now)
    except BaseException as error:  # Ctrl-C too: the run must not stay "running"
        fail_run(rt.engine, run_id, error, rt.clock())
        rt.metrics.cycles.labels(kind, "failed").inc()
        log.error("cycle.failed", kind=kind, run_id=run_id, error=str(error))
        raise
    report = CycleReport(
        run_id=run_id,
        pulled=pulled.pulled,
        evaluated=evaluated.evaluated,
        moved=evaluated.moved,
        queued=evaluated.queued,
        sent=flushed.sent,
        failed=flushed.failed,
        dead=flushed.dead,
        quarantined=pulled.quarantined + flushed.dead,
        complete=pulled.complete and flushed.paused_until is None,
    )
    status = "ok" if report.complete else "stopped"
    finish_run(
        rt.engine,
        run_id,
        status,
        rt.clock(),
        pulled=report.pulled,
        evaluated=report.evaluated,
        written=report.sent,
        write_errors=report.failed + report.dead,
        quarantined=report.quarantined,
    )
    elapsed = time.perf_counter() - started
    _observe_budget(rt)
    rt.metrics.cycles.labels(kind, status).inc()
    rt.metrics.cycle_seconds.labels(kind).observe(elapsed)
    rt.metrics.last_success.labels(kind).set(time.time())
    log.info("cycle.done", kind=kind, run_id=run_id, seconds=round(elapsed, 3), **_counts(report))
    return report


def _observe_budget(rt: Runtime) -> None:
    try:
        budget = rt.connector.budget()
    except CrmError as error:
        log.warning("budget.unknown", error=str(error))
        return
    if budget.remaining is not None:
        rt.metrics.api_budget.set(budget.remaining)


def _counts(report: CycleReport) -> dict[str, int]:
    return {
        "pulled": report.pulled,
        "evaluated": report.evaluated,
        "moved": report.moved,
        "sent": report.sent,
        "failed": report.failed,
        "dead": report.dead,
        "quarantined": report.quarantined,
    }


def run_sla_tick(rt: Runtime, *, stop: threading.Event | None = None) -> CycleReport:
    """Every minute: re-evaluate leads whose clocks are due (reminders, breaches, escalations)."""
    return run_cycle(rt, kind="sla_tick", pull=False, stop=stop)


def run_reconcile(rt: Runtime, *, stop: threading.Event | None = None) -> CycleReport:
    """Nightly: re-read everything and re-diff it, repairing drift between handoff and the CRM."""
    window = Window(None, rt.clock())
    return run_cycle(rt, kind="reconcile", stream="reconcile", window=window, stop=stop, force=True)
