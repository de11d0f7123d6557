"""`handoff run`: the scheduler, the HTTP port and a clean stop, in one process.

Jobs are defined here in code (no persistent job store: a job store cannot be shared, and every
job resumes from the database anyway). They never overlap: one work lock serialises the cycle,
the SLA tick, the reconcile and the weekly digest, so the outbox has a single writer. On SIGTERM
or SIGINT the current batch finishes, the outbox is flushed, and the process exits 0 within
`shutdown_seconds`.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from handoff.connectors.errors import AuthError, BudgetExhausted, ConfigurationError
from handoff.store.database import describe_error
from handoff.store.lock import InstanceLock
from handoff.sync.cycle import run_cycle, run_reconcile, run_sla_tick
from handoff.sync.flush import flush_outbox
from handoff.sync.http import HealthApp, HttpServer
from handoff.sync.report.digest import post_digest
from handoff.sync.runtime import Runtime
from handoff.sync.webhooks import WebhookInbox

log = structlog.get_logger("handoff.daemon")


STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


class Daemon:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.stop = threading.Event()
        self.work = threading.Lock()
        self.lock = InstanceLock(rt.store.engine, rt.crm)
        self.paused_until = rt.clock() - timedelta(seconds=1)
        self.scheduler = BackgroundScheduler(
            timezone="UTC",
            executors={"default": ThreadPoolExecutor(max_workers=2)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        self.http: HttpServer | None = None
        self.app = HealthApp(
            rt, alive=lambda: self.scheduler.running and not self.stop.is_set(), started_at=rt.clock()
        )
        self.inbox = WebhookInbox(rt, self.work, self.stop)
        self.webhooks = rt.plugin.webhooks(rt.crm_settings)
        for route in self.webhooks:
            # Freshness is about the request's real age, whatever clock the decisions run on.
            handler = self.inbox.handler(route, rt.settings.public_url, _epoch_ms)
            self.app.route(route.path, route.name, handler)

    def run(self) -> int:
        """Run until SIGTERM or SIGINT; return the exit code."""
        # The stop signals are blocked before any thread starts and taken by sigwait below, never
        # by a handler: a handler runs in the middle of whatever the main thread is doing, and one
        # that logged deadlocked on the logger's lock. A signal during start-up waits for its end.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        self.lock.acquire()
        with self.rt.store.begin() as tx:
            tx.runs.abandon_dead(self.rt.clock(), lock_held=True)
        try:
            self._start_http()
            self.inbox.start()
            self._schedule()
            self.scheduler.start()
            log.info(
                "daemon.started",
                crm=self.rt.crm,
                http_port=self.http.port if self.http else None,
                webhooks=[route.path for route in self.webhooks] if self.http else [],
            )
            received = signal.sigwait(STOP_SIGNALS)
            log.info("daemon.stopping", signal=signal.Signals(received).name)
            self.stop.set()
            return self._shutdown()
        finally:
            self.lock.release()

    def _start_http(self) -> None:
        port = self.rt.settings.http_port
        if port is None:
            return
        self.http = HttpServer(self.app, self.rt.settings.http_host, port)
        self.http.start()

    def _schedule(self) -> None:
        settings = self.rt.settings
        now = self.rt.clock()
        jobs: list[tuple[str, Callable[[], object], object, float]] = [
            (
                "cycle",
                lambda: run_cycle(self.rt, stop=self.stop),
                IntervalTrigger(seconds=settings.cycle_seconds),
                settings.cycle_seconds,
            ),
            (
                "sla_tick",
                lambda: run_sla_tick(self.rt, stop=self.stop),
                IntervalTrigger(seconds=settings.sla_tick_seconds),
                settings.sla_tick_seconds,
            ),
            (
                "reconcile",
                lambda: run_reconcile(self.rt, stop=self.stop),
                CronTrigger(hour=settings.reconcile_hour_utc, minute=17),
                3600.0,
            ),
        ]
        if self.rt.channels and settings.digest_weekday != "off":
            jobs.append(
                (
                    "digest",
                    lambda: post_digest(self.rt),
                    CronTrigger(day_of_week=settings.digest_weekday, hour=settings.digest_hour_utc, minute=7),
                    3600.0,
                )
            )
        for name, job, trigger, grace in jobs:
            first = now if name == "cycle" else None
            self.scheduler.add_job(
                self._guarded(name, job),
                trigger=trigger,
                id=name,
                name=name,
                next_run_time=first,
                misfire_grace_time=max(1, int(grace)),
            )

    def _guarded(self, name: str, job: Callable[[], object]) -> Callable[[], None]:
        """Serialise jobs, skip them while the CRM's daily budget is spent, and keep the daemon up."""

        def run() -> None:
            if self.stop.is_set() or self.rt.clock() < self.paused_until:
                return
            with self.work:
                try:
                    job()
                except BudgetExhausted as error:
                    self.paused_until = error.resets_at or self.rt.clock() + timedelta(hours=1)
                    log.warning(
                        "daemon.paused", job=name, until=self.paused_until.isoformat(), reason=str(error)
                    )
                except (AuthError, ConfigurationError) as error:
                    log.error("daemon.job_failed", job=name, error=str(error), action="fix the CRM settings")
                except Exception as error:
                    log.exception("daemon.job_failed", job=name, error=describe_error(error))

        return run

    def _shutdown(self) -> int:
        deadline = self.rt.settings.shutdown_seconds
        finished = threading.Event()

        def drain() -> None:
            self.scheduler.shutdown(wait=True)
            with self.work:
                try:
                    flush_outbox(self.rt, self.rt.clock())
                except Exception as error:
                    log.warning("daemon.final_flush_failed", error=str(error))
            finished.set()

        threading.Thread(target=drain, name="handoff-drain", daemon=True).start()
        clean = finished.wait(deadline)
        if self.http is not None:
            self.http.stop()
        self.rt.close()
        log.info("daemon.stopped", clean=clean)
        return 0 if clean else 1


def _epoch_ms() -> int:
    return int(time.time() * 1000)
