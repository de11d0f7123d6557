"""Runs: one row per job run, for `handoff status` and for readiness, recorded in one way for every
kind of run (`recorded_run`).

A run that raises, or is interrupted by Ctrl-C, is marked failed with its error. A run left
`running` by a process that died (SIGKILL, a power cut) is marked abandoned when the next process
takes the lock, or when its process is known to be gone on this host.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from handoff.store.database import describe_error
from handoff.store.schema import SYNC_RUN

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Store, Tx

PROCESS = f"{socket.gethostname()}:{os.getpid()}"


class RunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    STOPPED = "stopped"
    FAILED = "failed"
    ABANDONED = "abandoned"


# Kinds run only by the holder of the instance lock: while a process holds the lock, any other
# run of these kinds still marked running belongs to a dead process.
LOCKED_KINDS = frozenset({"cycle", "sla_tick", "reconcile", "webhook", "backfill"})


@dataclass
class RunCounts:
    pulled: int = 0
    evaluated: int = 0
    written: int = 0
    write_errors: int = 0
    quarantined: int = 0


@dataclass
class Run:
    """A run in progress; the job fills in its counts and, when it stops early, its status."""

    id: int
    kind: str
    counts: RunCounts = field(default_factory=RunCounts)
    status: RunStatus = RunStatus.OK


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    kind: str
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    process: str | None
    counts: RunCounts
    error: str | None

    @property
    def gone(self) -> bool:
        """Marked running, but its process is known to have died (on this host)."""
        return self.status is RunStatus.RUNNING and _dead(self.process)


@contextmanager
def recorded_run(store: Store, kind: str, clock: Callable[[], datetime]) -> Iterator[Run]:
    """Record a run of `kind` around the block: ok (or the status the block set), else failed."""
    with store.begin() as tx:
        run = Run(tx.runs.start(kind, clock()), kind)
    try:
        yield run
    except BaseException as error:  # Ctrl-C too: the run must not stay "running"
        with store.begin() as tx:
            tx.runs.finish(run, RunStatus.FAILED, clock(), error=describe_error(error))
        raise
    with store.begin() as tx:
        tx.runs.finish(run, run.status, clock())


class Runs:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.crm = tx.crm

    def start(self, kind: str, now: datetime) -> int:
        result = self.tx.connection.execute(
            SYNC_RUN.insert()
            .values(crm=self.crm, kind=kind, started_at=now, status=RunStatus.RUNNING.value, process=PROCESS)
            .returning(SYNC_RUN.c.id)
        )
        run_id: int = result.scalar_one()
        return run_id

    def finish(self, run: Run, status: RunStatus, now: datetime, *, error: str | None = None) -> None:
        counts = run.counts
        self.tx.connection.execute(
            update(SYNC_RUN)
            .where(SYNC_RUN.c.id == run.id)
            .values(
                status=status.value,
                finished_at=now,
                pulled=counts.pulled,
                evaluated=counts.evaluated,
                written=counts.written,
                write_errors=counts.write_errors,
                quarantined=counts.quarantined,
                error=error,
            )
        )

    def abandon_dead(self, now: datetime, *, lock_held: bool) -> int:
        """Mark abandoned the runs still `running` whose process is gone; return how many.

        With the instance lock held, every other run of a lock-holding kind is gone; otherwise only
        those of a process on this host that no longer exists."""
        r = SYNC_RUN.c
        rows = self.tx.connection.execute(
            select(r.id, r.kind, r.process).where(r.crm == self.crm, r.status == RunStatus.RUNNING.value)
        ).all()
        gone = [
            row.id
            for row in rows
            if row.process != PROCESS and ((lock_held and row.kind in LOCKED_KINDS) or _dead(row.process))
        ]
        if gone:
            self.tx.connection.execute(
                update(SYNC_RUN)
                .where(r.id.in_(gone))
                .values(
                    status=RunStatus.ABANDONED.value,
                    finished_at=now,
                    error="abandoned: its process stopped before the run finished",
                )
            )
        return len(gone)

    def recent(self, limit: int) -> list[RunRecord]:
        r = SYNC_RUN.c
        rows = self.tx.connection.execute(
            select(SYNC_RUN).where(r.crm == self.crm).order_by(r.id.desc()).limit(limit)
        )
        return [
            RunRecord(
                row.id,
                row.kind,
                row.started_at,
                row.finished_at,
                RunStatus(row.status),
                row.process,
                RunCounts(row.pulled, row.evaluated, row.written, row.write_errors, row.quarantined),
                row.error,
            )
            for row in rows
        ]

    def last_success(self, kind: str) -> datetime | None:
        r = SYNC_RUN.c
        found: datetime | None = self.tx.connection.execute(
            select(r.finished_at)
            .where(r.crm == self.crm, r.kind == kind, r.status == RunStatus.OK.value)
            .order_by(r.finished_at.desc())
            .limit(1)
        ).scalar()
        return found


def _dead(process: str | None) -> bool:
    """Whether `host:pid` names a process of this host that no longer runs."""
    if not process or ":" not in process:
        return False
    host, _, pid = process.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
