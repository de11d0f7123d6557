"""The store as the runtime sees it: one object per database and CRM, and transactions whose
repositories hand out typed records (cosmicpython's unit of work, without an ORM session).

    with store.begin() as tx:
        leads = tx.leads.load(ids, now, retention)
        latest = tx.decisions.save(decided, policy_version, now)
        tx.outbox.replace_field_writes(writes, now)

Everything inside one `begin()` commits together or not at all; that is how progress is saved with
the data (a cursor with its page, a decision with its outbox rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from handoff.store.cursors import Cursors
from handoff.store.database import Codec
from handoff.store.decisions import Decisions
from handoff.store.history import History
from handoff.store.leads import Leads
from handoff.store.mirror import Mirror
from handoff.store.outbox import Outbox
from handoff.store.outcomes import Outcomes
from handoff.store.owners import Owners
from handoff.store.quarantine import Quarantine
from handoff.store.retention import prune
from handoff.store.runs import Runs
from handoff.store.statistics import refresh_statistics
from handoff.store.timelines import Timelines
from handoff.store.views import Views


class Store:
    def __init__(self, engine: Engine, crm: str) -> None:
        self.engine = engine
        self.crm = crm

    @contextmanager
    def begin(self) -> Iterator[Tx]:
        with self.engine.begin() as connection:
            yield Tx(connection, self.crm)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def ping(self) -> str | None:
        """None when the database answers, else why not (for readiness)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            return f"unreachable: {type(error).__name__}"
        return None

    def refresh_statistics(self) -> list[str]:
        """Keep PostgreSQL's planner statistics fresh while a big cycle fills the tables."""
        return refresh_statistics(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


class Tx:
    """One transaction; its repositories share the connection."""

    def __init__(self, connection: Connection, crm: str) -> None:
        self.connection = connection
        self.crm = crm
        self.codec = Codec.of(connection)

    def prune(self, before: datetime) -> dict[str, int]:
        """Drop history older than `before` (the retention), keeping what the present needs."""
        return prune(self.connection, self.crm, before)

    @cached_property
    def mirror(self) -> Mirror:
        return Mirror(self)

    @cached_property
    def leads(self) -> Leads:
        return Leads(self)

    @cached_property
    def decisions(self) -> Decisions:
        return Decisions(self)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self)

    @cached_property
    def outcomes(self) -> Outcomes:
        return Outcomes(self)

    @cached_property
    def quarantine(self) -> Quarantine:
        return Quarantine(self)

    @cached_property
    def cursors(self) -> Cursors:
        return Cursors(self)

    @cached_property
    def owners(self) -> Owners:
        return Owners(self)

    @cached_property
    def runs(self) -> Runs:
        return Runs(self)

    @cached_property
    def views(self) -> Views:
        return Views(self)

    @cached_property
    def timelines(self) -> Timelines:
        return Timelines(self)

    @cached_property
    def history(self) -> History:
        """The read side of reports: each lead's funnel history."""
        return History(self)
