"""The runtime against the in-memory CRM, on SQLite always and on PostgreSQL when configured."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from handoff.config.settings import Settings
from handoff.connectors.memory import MemoryCrm
from handoff.connectors.retry import RetryPolicy
from handoff.sync.runtime import Runtime, build_runtime
from tests.support import scratch_schema

POSTGRES_ENV = "HANDOFF_TEST_DATABASE_URL"
START = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/handoff.db"
        return
    yield from postgres_schema_url()


def postgres_schema_url() -> Generator[str, None, None]:
    """A fresh schema on the test server for one test, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    with scratch_schema(base) as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def crm(clock: FakeClock, sleeps: list[float]) -> Iterator[MemoryCrm]:
    memory = MemoryCrm(clock=clock, retry=RetryPolicy(sleep=sleeps.append))
    yield memory
    memory.close()


@pytest.fixture
def runtime(database_url: str, crm: MemoryCrm, clock: FakeClock) -> Iterator[Runtime]:
    rt = build_runtime(Settings(crm="memory", database_url=database_url), clock=clock, connector=crm)
    yield rt
    rt.engine.dispose()
