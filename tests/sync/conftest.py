"""The runtime against the in-memory CRM, on SQLite always and on PostgreSQL when configured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handoff.config.settings import Settings
from handoff.connectors.memory.crm import MemoryCrm
from handoff.connectors.retry import RetryPolicy
from handoff.sync.runtime import Runtime, build_runtime
from tests.support import FakeClock


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
    rt.close()
