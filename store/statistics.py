"""PostgreSQL planner statistics, kept fresh while one big cycle fills handoff's tables.

A backfill into a new database grows the mirror, the decisions and the outbox from nothing to
hundreds of thousands of rows in minutes. Until ANALYZE runs, PostgreSQL plans for empty tables: it
read every pending outbox row for each batch of 500 contacts, and a 100,000-contact cycle ran at 206
contacts/s where SQLite managed 1,200. Autovacuum analyses on its own schedule, a minute apart at
best and never where it is switched off, so handoff analyses its own tables when they have changed
a lot since the last time, the way autovacuum would. SQLite plans well without statistics.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlmodel import SQLModel

import handoff.store.schema  # noqa: F401 - registers handoff's tables in SQLModel.metadata

# Analyse a table once this many rows, and this share of it, changed since its last ANALYZE: a
# table that only grows is analysed each time it doubles, one rewritten in place once per pass.
STALE_ROWS = 5_000
STALE_SHARE = 0.5

_STALE = text(
    """
    SELECT relname FROM pg_stat_user_tables
    WHERE schemaname = current_schema()
      AND relname = ANY(:tables)
      AND n_mod_since_analyze > GREATEST(:rows, :share * n_live_tup)
    ORDER BY relname
    """
)

_TABLES = sorted(SQLModel.metadata.tables)


def refresh_statistics(engine: Engine) -> list[str]:
    """ANALYZE handoff's tables that changed a lot (never another application's); return their names."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.begin() as connection:
        stale = list(
            connection.execute(
                _STALE, {"rows": STALE_ROWS, "share": STALE_SHARE, "tables": _TABLES}
            ).scalars()
        )
        quote = connection.dialect.identifier_preparer.quote
        for table in stale:
            connection.execute(text(f"ANALYZE {quote(table)}"))
    return stale
