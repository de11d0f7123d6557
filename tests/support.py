"""Helpers the tests and the benchmarks share: a scratch PostgreSQL schema, an always-open policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

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
