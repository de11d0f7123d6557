"""Migration 0003 carries a deployment's data into the history tables, and back down again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from handoff.config.vocabulary import Stage
from handoff.lifecycle.clock import ClockName, ClockStatus
from handoff.lifecycle.outputs import OutputField
from handoff.store.database import make_db_engine
from handoff.store.migrate import alembic_config, check
from handoff.store.types import UTCDateTime
from handoff.store.unit_of_work import Store

AT = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
MQL_AT = AT - timedelta(days=2)


def _alembic(engine: Engine, action: str, revision: str) -> None:
    with engine.begin() as connection:
        getattr(command, action)(alembic_config(connection), revision)


def _table(table: str, /, **columns: Any) -> sa.TableClause:
    return sa.table(table, *(sa.column(column, kind) for column, kind in columns.items()))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_db_engine(database_url)
    _alembic(engine, "upgrade", "0002")
    instant = UTCDateTime()
    contact = _table(
        "contact",
        crm=sa.String(),
        id=sa.String(),
        email=sa.String(),
        data=sa.JSON(),
        written=sa.JSON(),
        activities=sa.JSON(),
        account_owner_id=sa.String(),
        input_hash=sa.String(),
        record_hash=sa.String(),
        remote_modified_at=instant,
        pulled_at=instant,
        dirty=sa.Boolean(),
        review_at=instant,
    )
    decision = _table(
        "decision",
        crm=sa.String(),
        contact_id=sa.String(),
        evaluated_at=instant,
        policy_version=sa.String(),
        stage=sa.String(),
        previous_stage=sa.String(),
        fit=sa.Integer(),
        behavior=sa.Integer(),
        score=sa.Integer(),
        high_intent=sa.Boolean(),
        owner_id=sa.String(),
        owner_assigned_at=instant,
        escalated_from=sa.JSON(),
        accepted_at=instant,
        stage_entered=sa.JSON(),
        next_check_at=instant,
        summary=sa.String(),
        reasons=sa.JSON(),
        problems=sa.JSON(),
        routing=sa.JSON(),
        desired=sa.JSON(),
    )
    clock = _table(
        "sla_clock",
        crm=sa.String(),
        contact_id=sa.String(),
        name=sa.String(),
        owner_id=sa.String(),
        started_at=instant,
        due_at=instant,
        status=sa.String(),
        met_at=instant,
        met_by=sa.String(),
    )
    with engine.begin() as db:
        db.execute(
            contact.insert(),
            [
                {
                    "crm": "memory",
                    "id": "ada",
                    "email": "ada@acme.example",
                    "data": {
                        "id": "ada",
                        "email": "ada@acme.example",
                        "company": {"name": "Acme", "domain": "www.Acme.example", "employees": 300},
                        "stage": "mql",
                        "stage_entered_at": MQL_AT.isoformat(),
                        "owner_id": "201",
                        "accepted": False,
                        "evidence": {},
                        "title": None,
                    },
                    "written": {"stage": "mql", "owner": "201", "score": "70"},
                    "activities": [
                        {
                            "id": "demo-1",
                            "kind": "demo_request",
                            "occurred_at": (MQL_AT - timedelta(minutes=5)).isoformat(),
                            "owner_id": None,
                            "attributes": {"form": "Request a demo"},
                        },
                        {
                            "id": "view-1",
                            "kind": "page_view",
                            "occurred_at": MQL_AT.isoformat(),
                            "attributes": {},
                        },
                    ],
                    "account_owner_id": None,
                    "input_hash": "i",
                    "record_hash": "r",
                    "remote_modified_at": AT,
                    "pulled_at": AT,
                    "dirty": False,
                    "review_at": AT + timedelta(hours=1),
                }
            ],
        )
        db.execute(
            decision.insert(),
            [
                {
                    "crm": "memory",
                    "contact_id": "ada",
                    "evaluated_at": AT,
                    "policy_version": "2026-11",
                    "stage": "mql",
                    "previous_stage": "lead",
                    "fit": 45,
                    "behavior": 25,
                    "score": 70,
                    "high_intent": True,
                    "owner_id": "201",
                    "owner_assigned_at": MQL_AT,
                    "escalated_from": ["205"],
                    "accepted_at": None,
                    "stage_entered": {"mql": MQL_AT.isoformat()},
                    "next_check_at": AT + timedelta(hours=1),
                    "summary": "MQL · score 70",
                    "reasons": [{"rule": "Demo request", "points": 25, "detail": "1 demo request"}],
                    "problems": [],
                    "routing": None,
                    "desired": {"stage": "mql", "owner": "201", "score": "70"},
                }
            ],
        )
        db.execute(
            clock.insert(),
            [
                {
                    "crm": "memory",
                    "contact_id": "ada",
                    "name": "first_touch",
                    "owner_id": "201",
                    "started_at": MQL_AT,
                    "due_at": MQL_AT + timedelta(hours=4),
                    "status": "breached",
                    "met_at": None,
                    "met_by": None,
                }
            ],
        )
    yield engine
    engine.dispose()


def test_the_data_moves_into_the_history_tables_and_back(engine: Engine) -> None:
    _alembic(engine, "upgrade", "head")
    check(engine)
    store = Store(engine, "memory")

    with store.begin() as tx:
        (lead,) = tx.leads.load(["ada"], AT, timedelta(days=400))
        found = tx.views.explain("ada")

    assert lead.lead.contact.stage is Stage.MQL
    assert lead.lead.contact.stage_entered_at == MQL_AT
    assert lead.account == "acme.example"
    assert lead.lead.crm[OutputField.SCORE] == "70"
    assert [a.id for a in lead.lead.activities] == ["demo-1", "view-1"]
    assert lead.lead.activities[0].attributes == {"form": "Request a demo"}
    memory = lead.lead.memory
    assert memory.entered == {Stage.MQL: MQL_AT}
    assert (memory.owner_id, memory.owner_assigned_at, memory.escalated_from) == ("201", MQL_AT, ("205",))
    assert memory.clocks == {ClockName.FIRST_TOUCH: ClockStatus.BREACHED}
    assert lead.seq == 1
    assert found is not None
    assert found.decision is not None
    assert (found.decision.stage, found.decision.score, found.decision.summary) == (
        "mql",
        70,
        "MQL · score 70",
    )
    assert found.decision.reasons[0].rule == "Demo request"
    assert found.decision.clocks[0]["status"] == "breached"
    assert found.activities == 2

    _alembic(engine, "downgrade", "0002")
    with engine.connect() as db:
        row = db.execute(sa.text("SELECT data, activities, written FROM contact")).one()
        old = db.execute(sa.text("SELECT stage, stage_entered, escalated_from FROM decision")).one()
        clocks = db.execute(sa.text("SELECT name, status FROM sla_clock")).all()
    data, activities, written = (
        value if not isinstance(value, str) else __import__("json").loads(value) for value in row
    )
    assert data["stage"] == "mql"
    assert [a["id"] for a in activities] == ["demo-1", "view-1"]
    assert written["score"] == "70"
    assert old[0] == "mql"
    assert [tuple(c) for c in clocks] == [("first_touch", "breached")]

    _alembic(engine, "upgrade", "head")
    check(engine)
