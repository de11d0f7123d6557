"""Schema migrations (Alembic), applied by `handoff migrate`, `handoff run` and `handoff sync`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration, running on `connection` (store/migrations/env.py reads it there)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision; a no-op when it is already there."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def check(engine: Engine) -> None:
    """Fail if the models and the migrations disagree (a change without its migration)."""
    with engine.begin() as connection:
        command.check(alembic_config(connection))
