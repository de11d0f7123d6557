"""One handoff per database (per schema on PostgreSQL): a second one is refused, not queued."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.store.database import make_db_engine
from handoff.store.lock import AlreadyRunning, InstanceLock
from tests.support import postgres_schema_url


def test_a_second_instance_is_refused_until_the_first_lets_go(database_url: str) -> None:
    engine = make_db_engine(database_url)
    first, second = InstanceLock(engine, "memory"), InstanceLock(engine, "memory")
    first.acquire()
    with pytest.raises(AlreadyRunning):
        second.acquire()
    first.release()
    second.acquire()
    second.release()
    engine.dispose()


@pytest.mark.postgres
def test_two_schemas_of_one_postgres_database_never_block_each_other() -> None:
    schemas = [postgres_schema_url(), postgres_schema_url()]
    engines = [make_db_engine(next(schema)) for schema in schemas]
    locks = [InstanceLock(engine, "memory") for engine in engines]
    try:
        for lock in locks:
            lock.acquire()
        for lock in locks:
            lock.release()
    finally:
        for engine in engines:
            engine.dispose()
        for schema in schemas:
            schema.close()


def test_a_symlink_to_the_database_takes_the_same_lock(tmp_path: Path) -> None:
    real = tmp_path / "handoff.db"
    real.touch()
    (tmp_path / "alias.db").symlink_to(real)
    engines = [make_db_engine(f"sqlite:///{real}"), make_db_engine(f"sqlite:///{tmp_path}/alias.db")]
    first, second = (InstanceLock(engine, "memory") for engine in engines)
    first.acquire()
    with pytest.raises(AlreadyRunning):
        second.acquire()
    first.release()
    for engine in engines:
        engine.dispose()
