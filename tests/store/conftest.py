"""A migrated store on each database the suite runs on (SQLite; PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handoff.store.database import make_db_engine
from handoff.store.migrate import migrate
from handoff.store.unit_of_work import Store


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    engine = make_db_engine(database_url)
    migrate(engine)
    yield Store(engine, "memory")
    engine.dispose()
