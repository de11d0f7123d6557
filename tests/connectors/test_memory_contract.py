"""The in-memory CRM keeps the connector contract."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import count

import pytest

from handoff.config.vocabulary import ActivityKind
from handoff.connectors.memory.crm import MemoryCrm
from handoff.connectors.protocol import CrmOwner
from handoff.lifecycle.records import Activity, Contact
from tests.connectors.contract import ConnectorContract
from tests.support import FakeClock

OWNER = "o-1"


class MemoryWorld:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.now = clock.now
        self.crm = MemoryCrm(clock=clock, page_size=TestMemoryConnector.page_size)
        self.connector = self.crm
        self.crm.put_owners([CrmOwner(OWNER, "rep@acme.example", "A Rep")])
        self._ids = count()

    def contacts(self, number: int, modified_at: datetime) -> list[str]:
        ids = [f"m{next(self._ids):05d}" for _ in range(number)]
        self.crm.put_contacts([(Contact(id=i, email=f"{i}@acme.example"), None) for i in ids], modified_at)
        return ids

    def call(self, contact_id: str, at: datetime) -> None:
        with self._at(at):
            self.crm.put_activities(
                [(contact_id, Activity(f"call-{next(self._ids)}", ActivityKind.CALL, at, OWNER))], touch=False
            )

    def rep_changes_status(self, contact_id: str, at: datetime) -> None:
        with self._at(at):
            self.crm.rep_edit(contact_id, lead_status="IN_PROGRESS", accepted=True)

    def unknown_id(self) -> str:
        return "nobody"

    def owner_id(self) -> str:
        return OWNER

    def open_tasks(self) -> set[str]:
        return {task["subject"] for task in self.crm.tasks() if "completed_at" not in task}

    def _at(self, moment: datetime) -> _Moment:
        return _Moment(self.clock, moment)


class _Moment:
    """The CRM's clock at `moment` for one change (the CRM dates what it stores by its clock)."""

    def __init__(self, clock: FakeClock, moment: datetime) -> None:
        self.clock, self.moment, self.saved = clock, moment, clock.now

    def __enter__(self) -> None:
        self.clock.now = self.moment

    def __exit__(self, *_: object) -> None:
        self.clock.now = self.saved


class TestMemoryConnector(ConnectorContract):
    page_size = 5

    @pytest.fixture
    def world(self, clock: FakeClock) -> Iterator[MemoryWorld]:
        world = MemoryWorld(clock)
        yield world
        world.crm.close()
