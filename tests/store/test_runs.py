"""Runs are recorded one way for every kind: ok, stopped, failed (an exception or Ctrl-C), and
abandoned when the process that ran them is gone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from handoff.store.runs import RunStatus, recorded_run
from handoff.store.unit_of_work import Store
from tests.support import FakeClock


def _statuses(store: Store) -> list[tuple[str, RunStatus, str | None]]:
    with store.begin() as tx:
        return [(run.kind, run.status, run.error) for run in reversed(tx.runs.recent(20))]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RuntimeError("the CRM said no"), "RuntimeError: the CRM said no"),
        (KeyboardInterrupt(), "KeyboardInterrupt: "),
    ],
)
def test_a_run_that_raises_or_is_interrupted_is_marked_failed(
    store: Store, clock: FakeClock, error: BaseException, expected: str
) -> None:
    def job() -> None:
        with recorded_run(store, "webhook", clock) as run:
            run.counts.pulled = 3
            raise error

    with pytest.raises(type(error)):
        job()

    assert _statuses(store) == [("webhook", RunStatus.FAILED, expected)]
    with store.begin() as tx:
        (recorded,) = tx.runs.recent(1)
    assert recorded.counts.pulled == 3
    assert recorded.finished_at == clock.now


def test_a_run_ends_ok_or_with_the_status_it_set(store: Store, clock: FakeClock) -> None:
    with recorded_run(store, "cycle", clock):
        pass
    with recorded_run(store, "backfill", clock) as run:
        run.status = RunStatus.STOPPED

    assert _statuses(store) == [("cycle", RunStatus.OK, None), ("backfill", RunStatus.STOPPED, None)]


def test_runs_of_a_dead_process_are_marked_abandoned(
    store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    dead_here = f"{socket.gethostname()}:{gone.stdout.strip()}"
    alive_here = f"{socket.gethostname()}:{os.getppid()}"
    elsewhere = "another-host:4242"
    with store.begin() as tx:
        for kind, process in (
            ("dry_run", dead_here),
            ("dry_run", alive_here),
            ("dry_run", elsewhere),
            ("cycle", elsewhere),
        ):
            run_id = tx.runs.start(kind, clock())
            tx.connection.exec_driver_sql(
                "UPDATE sync_run SET process = " + tx.codec.mark + " WHERE id = " + tx.codec.mark,
                (process, run_id),
            )

    with store.begin() as tx:
        shown = [(run.kind, run.process, run.gone) for run in reversed(tx.runs.recent(10))]
        without_lock = tx.runs.abandon_dead(clock(), lock_held=False)
    with store.begin() as tx:
        with_lock = tx.runs.abandon_dead(clock(), lock_held=True)

    assert shown == [
        ("dry_run", dead_here, True),
        ("dry_run", alive_here, False),
        ("dry_run", elsewhere, False),
        ("cycle", elsewhere, False),
    ]
    assert (without_lock, with_lock) == (1, 1)
    assert [status for _, status, _ in _statuses(store)] == [
        RunStatus.ABANDONED,
        RunStatus.RUNNING,
        RunStatus.RUNNING,
        RunStatus.ABANDONED,
    ]
