"""`handoff run` as a process: endpoints, one daemon per database, a clean stop on SIGTERM."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from handoff.connectors.memory.crm import MemoryCrm
from handoff.lifecycle.outputs import OutputField
from handoff.store.database import make_db_engine
from handoff.store.schema import SYNC_RUN
from tests.sync import company
from tests.sync.processes import environment, free_port, run, start, wait_until


def _get(port: int, path: str) -> requests.Response | None:
    try:
        return requests.get(f"http://127.0.0.1:{port}{path}", timeout=2)
    except requests.ConnectionError:
        return None


def _cycled(port: int) -> bool:
    metrics = _get(port, "/metrics")
    return metrics is not None and 'handoff_cycles_total{kind="cycle",result="ok"} 1.0' in metrics.text


def _seeded(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    crm = MemoryCrm(str(path))
    company.seed(crm, datetime.now(UTC))
    crm.close()
    return path


def test_the_daemon_serves_health_readiness_and_metrics_and_stops_on_sigterm(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    env = environment(_seeded(tmp_path), database_url, HANDOFF_HTTP_PORT=str(port), HANDOFF_CYCLE_SECONDS="1")
    log = tmp_path / "daemon.log"
    daemon = start(["run"], env, log)
    try:
        wait_until(lambda: _cycled(port), 30, "a first cycle")
        health = _get(port, "/healthz")
        metrics = _get(port, "/metrics")
        ready = _get(port, "/readyz")
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=30)
    assert code == 0, log.read_text()
    assert health is not None
    assert health.json() == {"status": "ok"}
    assert ready is not None
    assert ready.json()["database"] == "ok"
    assert metrics is not None
    assert 'handoff_cycles_total{kind="cycle",result="ok"}' in metrics.text
    assert "handoff_records_pulled_total 3.0" in metrics.text
    assert "handoff_cycle_duration_seconds_bucket" in metrics.text
    assert "daemon.stopped" in log.read_text()


def test_a_second_daemon_refuses_to_start_until_the_first_is_killed(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    env = environment(_seeded(tmp_path), database_url, HANDOFF_HTTP_PORT=str(port))
    first = start(["run"], env, tmp_path / "first.log")
    try:
        wait_until(lambda: _get(port, "/healthz") is not None, 30, "the first daemon")
        second = run(["run"], {**env, "HANDOFF_HTTP_PORT": str(free_port())}, timeout=30)
        sync = run(["sync"], env, timeout=30)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert second.returncode == 1
    assert "another handoff process holds" in second.stderr
    assert "refusing to start a second daemon" in second.stderr
    assert sync.returncode == 1
    assert "another handoff process holds" in sync.stderr

    third = start(["run"], env, tmp_path / "third.log")
    try:
        wait_until(lambda: _get(port, "/healthz") is not None, 30, "the daemon started after the kill")
    finally:
        third.send_signal(signal.SIGINT)
        assert third.wait(timeout=30) == 0


def test_sync_runs_one_cycle_and_exits(tmp_path: Path, database_url: str) -> None:
    done = run(["sync"], environment(_seeded(tmp_path), database_url))

    assert done.returncode == 0, done.stderr
    assert "pulled 3, evaluated 3" in done.stdout


def test_sigterm_in_the_middle_of_a_cycle_finishes_the_batch_and_exits_0(
    tmp_path: Path, database_url: str
) -> None:
    path = tmp_path / "crm.db"
    crm = MemoryCrm(str(path))
    ids = company.many(crm, 3000, now=datetime.now(UTC))
    env = environment(path, database_url, HANDOFF_EVALUATE_BATCH="100", HANDOFF_SHUTDOWN_SECONDS="20")
    daemon = start(["run"], env, tmp_path / "daemon.log")
    engine = make_db_engine(database_url)
    try:
        wait_until(lambda: _running_cycles(engine) > 0, 60, "a cycle to start")
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert code == 0
    finished = run(["sync"], env)
    engine.dispose()
    assert finished.returncode == 0, finished.stderr
    assert {crm.contact(i).written[OutputField.STAGE] for i in ids} == {"mql"}


def _running_cycles(engine: Engine) -> int:
    try:
        with engine.connect() as connection:
            found: int = connection.execute(
                select(func.count()).where(SYNC_RUN.c.status == "running")
            ).scalar_one()
    except OperationalError:
        return 0
    except ProgrammingError:
        return 0
    return found
