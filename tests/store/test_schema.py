"""The store's schema: migrations apply cleanly, twice, and match the models on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import StatementError

from handoff.store.database import make_db_engine, transaction
from handoff.store.migrate import check, migrate
from handoff.store.schema import STAGE_HISTORY, SYNC_RUN
from handoff.store.statistics import STALE_ROWS, refresh_statistics


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


def test_a_table_that_grew_a_lot_is_analysed_once_on_postgresql(database_url: str) -> None:
    engine = make_db_engine(database_url)
    migrate(engine)
    moves = [
        {
            "crm": "memory",
            "contact_id": str(n),
            "at": datetime(2026, 11, 30, tzinfo=UTC),
            "to_stage": "mql",
            "actor": "handoff",
            "rule": "mql.threshold",
            "detail": "score reached 50",
        }
        for n in range(STALE_ROWS + 1)
    ]
    with transaction(engine) as db:
        db.execute(STAGE_HISTORY.insert(), moves)
        if engine.dialect.name == "postgresql":
            db.execute(text("SELECT pg_stat_force_next_flush()"))

    first, second = refresh_statistics(engine), refresh_statistics(engine)

    if engine.dialect.name == "postgresql":
        assert first == ["stage_history"]
        with transaction(engine) as db:
            planned = db.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'stage_history'::regclass"))
            assert planned.scalar_one() == STALE_ROWS + 1
    else:
        assert first == []
    assert second == []
    engine.dispose()
