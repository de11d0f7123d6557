"""The store's schema: migrations apply cleanly, twice, and match the models on both databases."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import StatementError

from sync.store.db import make_db_engine, transaction
from sync.store.migrate import check, migrate
from sync.store.models import SYNC_RUN


def test_migrations_apply_twice_and_match_the_models(database_url: str) -> None:
    engine = make_db_engine(database_url)

    migrate(engine)
    migrate(engine)
    check(engine)

    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    expected = {"contact", "decision", "stage_history", "outbox", "write_ledger", "quarantine", "cursor"}
    assert expected <= tables


def test_a_naive_timestamp_is_refused_rather_than_guessed(database_url: str) -> None:
    engine = make_db_engine(database_url)
    migrate(engine)

    naive = datetime(2026, 1, 1)  # noqa: DTZ001 - the mistake under test
    with pytest.raises(StatementError, match="refusing to store a naive datetime"), transaction(engine) as db:
        db.execute(SYNC_RUN.insert().values(crm="memory", kind="cycle", started_at=naive))

    with transaction(engine) as connection:
        assert connection.execute(select(SYNC_RUN.c.id)).all() == []
    engine.dispose()
