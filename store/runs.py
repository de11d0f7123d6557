"""Sync runs: one row per job run, for `handoff status` and for readiness."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from handoff.store.db import transaction
from handoff.store.models import SYNC_RUN


def start_run(engine: Engine, crm: str, kind: str, now: datetime) -> int:
    with transaction(engine) as connection:
        result = connection.execute(
            SYNC_RUN.insert()
            .values(crm=crm, kind=kind, started_at=now, status="running")
            .returning(SYNC_RUN.c.id)
        )
        run_id: int = result.scalar_one()
    return run_id


def finish_run(engine: Engine, run_id: int, status: str, now: datetime, **counts: Any) -> None:
    with transaction(engine) as connection:
        connection.execute(
            update(SYNC_RUN).where(SYNC_RUN.c.id == run_id).values(status=status, finished_at=now, **counts)
        )


def fail_run(engine: Engine, run_id: int, error: BaseException, now: datetime) -> None:
    finish_run(engine, run_id, "failed", now, error=f"{type(error).__name__}: {error}"[:2000])


def last_success(engine: Engine, crm: str, kind: str) -> datetime | None:
    r = SYNC_RUN.c
    with transaction(engine) as connection:
        found: datetime | None = connection.execute(
            select(r.finished_at)
            .where(r.crm == crm, r.kind == kind, r.status == "ok")
            .order_by(r.finished_at.desc())
            .limit(1)
        ).scalar()
    return found
