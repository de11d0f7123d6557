"""Shared fixtures: the shipped policy, a fixed instant and a clock moved by hand (no test depends on
the wall clock), and the databases every store test runs on: SQLite always, PostgreSQL when
HANDOFF_TEST_DATABASE_URL names a server (CI sets it; without it those tests skip with the reason)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from handoff.config.loader import load_policy
from handoff.config.policy import Policy
from tests.support import FakeClock, postgres_schema_url

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/handoff.db"
        return
    yield from postgres_schema_url()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
