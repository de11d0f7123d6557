"""The HubSpot connector keeps the connector contract, over HTTP against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import count

import pytest

from handoff.config.loader import load_policy
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.hubspot.reader import PAGE, SEARCHES_PER_PAGE
from handoff.connectors.hubspot.setup import setup
from handoff.sandbox.hubspot import HubSpotSandbox, Owner, SimulatedClock
from handoff.sandbox.hubspot.associations import ASSOCIATION_TYPES
from handoff.sandbox.hubspot.clock import iso
from handoff.sandbox.hubspot.records import ChangeSource
from tests.connectors.contract import ConnectorContract
from tests.hubspot.conftest import MONDAY, connect

USER = 7_000_001
DEAL_TO_CONTACT = ASSOCIATION_TYPES[("deals", "contacts", 3)]


class HubSpotWorld:
    def __init__(self, sandbox: HubSpotSandbox, connector: HubSpotConnector) -> None:
        self.sandbox = sandbox
        self.state = sandbox.state
        self.connector = connector
        self.now = MONDAY
        self._numbers = count()
        self.owner = self.state.add_owner(
            Owner(
                id="31000001",
                user_id=USER,
                email="rep@acme.example",
                first_name="A",
                last_name="Rep",
                created_at=MONDAY,
                updated_at=MONDAY,
            )
        )

    def contacts(self, number: int, modified_at: datetime) -> list[str]:
        created = []
        for _ in range(number):
            n = next(self._numbers)
            record = self.state.create(
                "contacts", {"email": f"lead{n}@acme.example", "firstname": f"Lead{n}"}, at=modified_at
            )
            created.append(str(record.id))
        return created

    def call(self, contact_id: str, at: datetime) -> None:
        self.state.create_engagement(
            "calls",
            {"hs_timestamp": iso(at), "hubspot_owner_id": self.owner.id, "hs_call_title": "Intro call"},
            contact_id=contact_id,
            source=ChangeSource.ui(USER),
            at=at,
        )

    def rep_changes_status(self, contact_id: str, at: datetime) -> None:
        self.state.update(
            "contacts", contact_id, {"hs_lead_status": "IN_PROGRESS"}, source=ChangeSource.ui(USER), at=at
        )

    def unknown_id(self) -> str:
        return "999999999"

    def owner_id(self) -> str:
        return self.owner.id

    def deals(self, number: int, modified_at: datetime, contact_ids: Sequence[str]) -> list[str]:
        links = [(DEAL_TO_CONTACT, int(contact_id)) for contact_id in contact_ids]
        created = []
        for _ in range(number):
            n = next(self._numbers)
            properties = {"dealname": f"Deal {n}", "dealstage": "qualifiedtobuy", "pipeline": "default"}
            record = self.state.create("deals", properties, at=modified_at, associations=links)
            created.append(str(record.id))
        return created

    def win(self, deal_id: str, amount: float, at: datetime) -> None:
        changes = {"dealstage": "closedwon", "amount": str(amount), "closedate": iso(at)}
        self.state.update("deals", deal_id, changes, source=ChangeSource.ui(USER), at=at)

    def unreadable_deal(self, contact_id: str, modified_at: datetime) -> str:
        (deal_id,) = self.deals(1, modified_at, [contact_id])
        # Straight into the stored record: what an old import left, past the API's checks today.
        record = self.state.raw_record("deals", int(deal_id))
        assert record is not None
        record.values["amount"] = "1,200.50"
        return deal_id

    def open_tasks(self) -> set[str]:
        tasks = [self.state.get("tasks", task_id) for task_id in self.state.ids("tasks")]
        return {
            task.properties["hs_task_subject"]
            for task in tasks
            if task is not None and task.properties.get("hs_task_status") != "COMPLETED"
        }


class TestHubSpotConnector(ConnectorContract):
    page_size = PAGE * SEARCHES_PER_PAGE

    @pytest.fixture
    def world(self, sleeps: list[float]) -> Iterator[HubSpotWorld]:
        sandbox = HubSpotSandbox(seed=3, tier="professional", clock=SimulatedClock(MONDAY))
        sandbox.start()
        connector = connect(sandbox, sleeps)
        setup(connector.client, load_policy())
        yield HubSpotWorld(sandbox, connector)
        sandbox.stop()
        assert sandbox.internal_errors == []

    @pytest.fixture
    def sleeps(self) -> list[float]:
        return []
