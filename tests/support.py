"""Helpers the tests and the benchmarks share: a scratch PostgreSQL schema, an always-open policy,
a clock tests move by hand."""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, text

from handoff.config.loader import DEFAULT_POLICY_PATH


@contextmanager
def scratch_schema(server: str) -> Iterator[str]:
    """A URL for a fresh schema on the PostgreSQL server at `server`, dropped afterwards, so runs
    never see each other's tables."""
    schema = f"t_{uuid4().hex[:12]}"
    admin = create_engine(server)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in server else "?"
        yield f"{server}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def always_open_policy(folder: Path) -> Path:
    """The shipped policy with every team at work around the clock and no holidays, so that a run
    at night or on a Sunday still routes MQLs to reps (and so creates their tasks)."""
    policy = DEFAULT_POLICY_PATH.read_text()
    policy = re.sub(r'^hours = ".*"', 'hours = "Mon-Sun 00:00-24:00"', policy, flags=re.MULTILINE)
    policy = re.sub(r'^holidays = ".*"\n', "", policy, flags=re.MULTILINE)
    policy = re.sub(r', holidays = "[^"]*"', "", policy)
    path = folder / "policy.toml"
    path.write_text(policy)
    return path


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


def postgres_schema_url() -> Generator[str, None, None]:
    """A fresh schema on the test server for one test, dropped afterwards (skips without a server)."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    with scratch_schema(base) as url:
        yield url
