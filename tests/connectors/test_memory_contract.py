"""The in-memory CRM keeps the connector contract."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import count

import pytest

from handoff.config.vocabulary import ActivityKind
from handoff.connectors.memory.crm import MemoryCrm
from handoff.connectors.protocol import CrmOwner, Window
from handoff.lifecycle.records import Activity, Contact, Deal
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

    def deals(self, number: int, modified_at: datetime, contact_ids: Sequence[str]) -> list[str]:
        ids = [f"d{next(self._ids):05d}" for _ in range(number)]
        deals = [Deal(i, created_at=modified_at, stage="qualified", amount=1000.0) for i in ids]
        self.crm.put_deals([(d, contact_ids) for d in deals], modified_at)
        return ids

    def win(self, deal_id: str, amount: float, at: datetime) -> None:
        won = Deal(deal_id, stage="closed_won", closed=True, won=True, amount=amount, close_date=at)
        (change,) = [
            c
            for page in self.crm.pull_deals(Window(None, self.clock.now))
            for c in page.deals
            if c.deal.id == deal_id
        ]
        self.crm.put_deals([(won, change.contact_ids)], at)

    def unreadable_deal(self, contact_id: str, modified_at: datetime) -> str:
        deal_id = f"d{next(self._ids):05d}"
        self.crm.put_deal_data([(deal_id, {"id": deal_id, "amount": -5}, [contact_id])], modified_at)
        return deal_id

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
