"""A record that fails at any step is quarantined at that step, named, and the rest of its page goes on.

The in-memory CRM hands records over as they are (no HubSpot mapping cleans them), so each
failure here reaches the step it breaks: the database refusing to hold a record, the engine
failing on one. Both lanes: SQLite always, PostgreSQL when configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handoff.config.settings import Settings
from handoff.config.vocabulary import ActivityKind, Stage
from handoff.connectors.memory.crm import MemoryCrm
from handoff.lifecycle.records import Activity
from handoff.store.schema import QUARANTINE
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime, build_runtime
from tests.support import FakeClock, postgres_schema_url
from tests.sync import company


def _leads(crm: MemoryCrm, clock: FakeClock, ids: list[str], **changes: Any) -> None:
    crm.put_contacts([(replace(company.demo_requester(i), **changes), None) for i in ids])
    demo = ActivityKind.DEMO_REQUEST
    crm.put_activities([(i, Activity(f"{i}-a", demo, clock.now - timedelta(hours=1))) for i in ids])


def _quarantined(rt: Runtime) -> dict[tuple[str, str], str]:
    with rt.store.begin() as tx:
        rows = tx.connection.execute(select(QUARANTINE)).all()
    return {(row.stream, row.record_id): row.error for row in rows}


@pytest.fixture
def postgres_runtime(crm: MemoryCrm, clock: FakeClock) -> Iterator[Runtime]:
    """PostgreSQL only: SQLite holds a NUL byte in text, PostgreSQL refuses it."""
    schemas = postgres_schema_url()
    rt = build_runtime(Settings(crm="memory", database_url=next(schemas)), clock=clock, connector=crm)
    yield rt
    rt.close()
    schemas.close()


@pytest.mark.postgres
def test_a_record_the_database_cannot_hold_is_quarantined_and_its_page_goes_in(
    postgres_runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    runtime = postgres_runtime
    company.reps(crm)
    good = [f"good-{n}" for n in range(6)]
    _leads(crm, clock, good)
    _leads(crm, clock, ["huge"], email="buyer\x00@huge.example")

    report = run_cycle(runtime)

    assert report.complete
    assert report.quarantined == 1
    with runtime.store.begin() as tx:
        decided = tx.views.latest_decisions()
    assert set(good) <= set(decided)
    assert "huge" not in decided
    problem = _quarantined(runtime)[("contacts", "huge")]
    assert problem.startswith("the database refused it")
    assert "huge.example" not in problem
    assert "VP" not in problem

    clock.advance(minutes=5)
    _leads(crm, clock, ["alone"], email="alone\x00@huge.example")
    alone = run_cycle(runtime)
    assert alone.complete, "a page of nothing but a refused record is quarantined, not retried forever"
    assert ("contacts", "alone") in _quarantined(runtime)


def test_a_lead_the_engine_fails_on_is_quarantined_and_the_others_are_decided(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.reps(crm)
    good = [f"good-{n}" for n in range(6)]
    _leads(crm, clock, good)
    # An MQL "entered" at the end of time: its SLA clocks cannot be computed.
    end_of_time = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    _leads(crm, clock, ["far"], stage=Stage.MQL, stage_entered_at=end_of_time, owner_id="rep-ana")

    report = run_cycle(runtime)
    again = run_cycle(runtime)

    assert report.complete
    assert again.complete
    with runtime.store.begin() as tx:
        decided = tx.views.latest_decisions()
        explained = tx.views.explain("far")
    assert set(good) <= set(decided)
    problem = _quarantined(runtime)[("evaluate", "far")]
    assert problem.startswith("the lead could not be evaluated: ")
    assert "9999" not in problem
    assert explained is not None
    assert [(q.error, q.count) for q in explained.quarantined] == [(problem, 1)]
    assert "far" not in decided, "a lead set aside is not retried until it changes"

    crm.put_contacts([(replace(company.demo_requester("far"), owner_id="rep-ana"), None)])
    clock.advance(minutes=1)
    run_cycle(runtime)
    assert ("evaluate", "far") not in _quarantined(runtime), "fixed in the CRM, it is decided again"
