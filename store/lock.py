"""One daemon per database: a PostgreSQL advisory lock, or a lock file beside the SQLite file.

Both are released by the operating system when the process dies, even by SIGKILL, so a crashed
daemon never blocks its successor.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, text


class AlreadyRunning(RuntimeError):
    """Another handoff process holds the lock on this database."""


class InstanceLock:
    def __init__(self, engine: Engine, crm: str) -> None:
        self._engine = engine
        self._crm = crm
        self._key = 0
        self._connection: Connection | None = None
        self._file: FileLock | None = None

    def acquire(self) -> None:
        if self._engine.dialect.name == "postgresql":
            self._acquire_advisory()
        else:
            self._acquire_file()

    def release(self) -> None:
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            self._connection.close()
            self._connection = None
        if self._file is not None:
            self._file.release()
            self._file = None

    def _acquire_advisory(self) -> None:
        """Advisory locks are per database: the key names the schema too, so that deployments in
        two schemas of one database (or two test lanes) never block each other."""
        connection = self._engine.connect()
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        name = f"handoff:{self._crm}:{schema}"
        self._key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}).scalar_one()
        connection.commit()
        if not got:
            connection.close()
            raise AlreadyRunning(
                "another handoff process holds this database's lock (PostgreSQL advisory lock)"
            )
        self._connection = connection

    def _acquire_file(self) -> None:
        database = self._engine.url.database or ""
        if database in ("", ":memory:"):
            return
        # The real file: a symlink or another spelling of the path takes the same lock.
        real = Path(database).resolve()
        path = real.with_suffix(real.suffix + ".lock")
        lock = FileLock(path)
        try:
            lock.acquire(timeout=0)
        except Timeout as error:
            raise AlreadyRunning(f"another handoff process holds {path}") from error
        self._file = lock
