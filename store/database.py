"""Engines, and the few things that differ between SQLite and PostgreSQL.

Most statements are SQLAlchemy Core. The few on the hot path of a cycle (mirror rows, activities,
decisions) go to the driver directly with values already in the database's own form (`Codec`):
SQLAlchemy's per-row type processing cost more than the engine's scoring at 100,000 contacts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg
from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

SUPPORTED = ("sqlite", "postgresql")
ERROR_LIMIT = 2000


class DatabaseUrlError(ValueError):
    pass


def make_db_engine(url: str) -> Engine:
    """An engine for a SQLite file or a PostgreSQL server (psycopg 3), refusing anything else."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseUrlError(f"not a database URL: {error}") from error
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise DatabaseUrlError(
            f"unsupported database {backend!r}; use sqlite:///path or postgresql+psycopg://..."
        )
    if backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    # hide_parameters: a failed statement's error never carries its parameters (contact data).
    json_options: dict[str, Any] = {
        "json_serializer": json_text,
        "json_deserializer": orjson.loads,
        "hide_parameters": True,
    }
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30}, **json_options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **json_options)


def json_text(value: Any) -> str:
    """JSON through orjson: the standard library's encoder was once a cycle's biggest single cost."""
    return orjson.dumps(value).decode()


def _sqlite_pragmas(connection: Any, _: ConnectionPoolEntry) -> None:
    # WAL lets `handoff status` read while the daemon writes; NORMAL is durable at each checkpoint.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 32 MiB of page cache (2 MiB by default): a cycle over 100,000 contacts writes millions of
    # index entries, and the B-trees' upper pages then stay in memory.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One database transaction: everything inside commits together or not at all."""
    with engine.begin() as connection:
        yield connection


def upsert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    """Insert rows, or update every non-key column of the rows that already exist."""
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    updates = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    connection.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=updates), list(rows))


def insert_ignoring_duplicates(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Insert rows whose unique `keys` are new; a re-run after a crash inserts nothing twice."""
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    connection.execute(statement, list(rows))


@dataclass(frozen=True)
class Codec:
    """Values in the driver's own form, for the statements that bypass SQLAlchemy's types.

    SQLite keeps instants as text in SQLAlchemy's format (`2026-11-30 15:00:00.000000`, UTC), so
    rows written either way read back the same; PostgreSQL takes aware datetimes and hands them
    back aware, and decodes JSON itself.
    """

    sqlite: bool

    @classmethod
    def of(cls, connection: Connection) -> Codec:
        return cls(sqlite=connection.dialect.name == "sqlite")

    @property
    def mark(self) -> str:
        """The driver's parameter placeholder."""
        return "?" if self.sqlite else "%s"

    def marks(self, count: int) -> str:
        return ", ".join([self.mark] * count)

    def instant(self, moment: datetime | None) -> Any:
        if moment is None or not self.sqlite:
            return moment
        if moment.tzinfo is not UTC and moment.utcoffset():
            moment = moment.astimezone(UTC)
        # SQLAlchemy's own format, always with microseconds (equal instants must compare equal as
        # text); isoformat without a timespec is the quickest way there, and this runs per activity.
        text = moment.isoformat(" ")
        return text[:26] if moment.microsecond else text[:19] + ".000000"

    def read_instant(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    @staticmethod
    def json(value: Any) -> str:
        return orjson.dumps(value).decode()

    @staticmethod
    def read_json(value: Any) -> Any:
        return orjson.loads(value) if isinstance(value, str | bytes) else value


def execute_many(connection: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """One statement over many rows, straight to the driver (values already in its form), inside
    the connection's transaction."""
    if not rows:
        return
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, list(rows))
    finally:
        cursor.close()


def insert_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """New rows (no conflict possible), the fastest way the database takes them: COPY on
    PostgreSQL (row by row, even pipelined, ran at a third of SQLite's speed), a plain
    executemany on SQLite."""
    if not rows:
        return
    names = ", ".join(columns)
    if connection.dialect.name != "postgresql":
        execute_many(
            connection, f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows
        )
        return
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def query(connection: Connection, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows as the driver's tuples: a cycle reads millions of activity rows, and wrapping each in
    SQLAlchemy's `Row` cost more than the read."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, tuple(params))
        rows: list[tuple[Any, ...]] = list(cursor.fetchall())
    finally:
        cursor.close()
    return rows


def refused_record(error: BaseException) -> bool:
    """The database (or the encoding before it) refused what one record holds (a value out of
    range, a NUL byte, a number JSON cannot carry), as opposed to failing itself (a lost
    connection, a locked file), which no record is to blame for."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    return isinstance(cause, _RECORD_ERRORS)


_RECORD_ERRORS = (
    OverflowError,
    orjson.JSONEncodeError,
    sqlite3.DataError,
    sqlite3.IntegrityError,
    sqlite3.ProgrammingError,
    psycopg.DataError,
    psycopg.IntegrityError,
    psycopg.ProgrammingError,
)


def describe_error(error: BaseException) -> str:
    """An error in one line, without what it was about: a database error's statement and
    parameters (contact data) are left out, only the driver's own first line is kept."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        first = str(error.orig).splitlines()[0] if str(error.orig) else ""
        return f"{type(error.orig).__name__}: {first}"[:ERROR_LIMIT]
    if isinstance(error, SQLAlchemyError):
        return type(error).__name__
    if type(error).__module__.split(".")[0] in _DRIVERS:
        # A driver's error raised from a raw cursor: its detail lines can quote the row's values.
        first = str(error).splitlines()[0] if str(error) else ""
        return f"{type(error).__name__}: {first}"[:ERROR_LIMIT]
    return f"{type(error).__name__}: {error}"[:ERROR_LIMIT]


_DRIVERS = frozenset({"psycopg", "sqlite3", "_sqlite3"})
