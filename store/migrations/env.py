"""Alembic environment: the models are the target; the connection comes from handoff itself."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import handoff.store.schema  # noqa: F401  (registers the tables on SQLModel.metadata)
from handoff.store.database import make_db_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_db_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as fresh:
            _run(fresh)
        engine.dispose()
    else:
        _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("handoff migrations run online only: use `handoff migrate`")
run_migrations()
