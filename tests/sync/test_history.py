"""History that can be replayed: `explain --at` rebuilds each step of a lead's life, never a later one.

The lead: created (a lead), requests a demo (MQL, routed to a rep), is accepted (SAL), gets its
evidence documented (SQL). At each step the store is asked what handoff knew and decided at that
instant, from history alone.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from handoff.config.vocabulary import ActivityKind
from handoff.connectors.memory.crm import MemoryCrm
from handoff.lifecycle.records import Activity
from handoff.sync.cli import inspect
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime
from tests.support import FakeClock
from tests.sync import company

BANT = {"need": "slow routing", "authority": "VP signs", "timeline": "Q1", "budget": "approved"}


def test_explain_at_each_step_of_a_life_gives_that_step_and_never_a_later_one(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.reps(crm)
    crm.put_contacts([(company.blog_reader("ada"), None)])
    steps = {"lead": clock.now}
    run_cycle(runtime)

    clock.advance(hours=1)
    crm.put_activities(
        [("ada", Activity("demo-1", ActivityKind.DEMO_REQUEST, clock.now - timedelta(minutes=5)))]
    )
    steps["mql"] = clock.now
    run_cycle(runtime)

    clock.advance(hours=1)
    crm.rep_edit("ada", accepted=True, lead_status="IN_PROGRESS")
    steps["sal"] = clock.now
    run_cycle(runtime)

    clock.advance(hours=1)
    crm.rep_edit("ada", evidence=BANT)
    steps["sql"] = clock.now
    run_cycle(runtime)

    seen = {}
    for stage, moment in steps.items():
        for probe in (moment, moment + timedelta(minutes=59)):
            with runtime.store.begin() as tx:
                found = tx.views.explain("ada", probe)
            assert found is not None
            assert found.decision is not None
            seen[(stage, probe)] = found
            assert found.decision.stage == stage, f"at {probe} handoff had decided {stage}"
            assert found.decision.at <= probe
            assert all(move.at <= probe for move in found.history), "a later move leaked into the past"
            assert all(event.at <= probe for event in found.clock_events)
            assert found.seen_at is not None
            assert found.seen_at <= probe
    lead = seen[("lead", steps["lead"])]
    assert lead.activities == 0, "the demo request had not arrived yet"
    assert lead.decision is not None
    assert lead.decision.owner_id is None
    mql = seen[("mql", steps["mql"])]
    assert mql.activities == 1
    assert mql.decision is not None
    assert mql.decision.owner_id is not None, "the MQL was routed"
    assert mql.routing is not None
    assert mql.routing["owner_id"] == mql.decision.owner_id
    assert mql.routing["reason"].startswith("New MQL")
    assert [m.to_stage for m in mql.history] == ["lead", "mql"]
    assert {e.status for e in mql.clock_events} >= {"started"}
    assert mql.contact is not None
    assert not mql.contact.get("accepted"), "acceptance came later"
    sal = seen[("sal", steps["sal"])]
    assert sal.contact is not None
    assert sal.contact.get("accepted") is True
    assert "evidence" not in sal.contact, "the evidence came later"
    sql = seen[("sql", steps["sql"])]
    assert sql.contact is not None
    assert sql.contact.get("evidence") == BANT
    assert [m.to_stage for m in sql.history] == ["lead", "mql", "sal", "sql"]
    before = steps["lead"] - timedelta(minutes=1)
    with runtime.store.begin() as tx:
        unseen = tx.views.explain("ada", before)
    assert unseen is not None
    assert unseen.contact is None
    assert unseen.decision is None


def test_the_command_explains_the_past_from_history(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inspect, "runtime_or_exit", lambda **_: runtime)
    company.seed(crm)
    run_cycle(runtime)
    first = clock.now
    clock.advance(hours=2)
    crm.rep_edit("vp-demo", accepted=True, lead_status="IN_PROGRESS")
    run_cycle(runtime)

    at_first = _explain("vp-demo", "--at", first.isoformat())
    now = _explain("vp-demo")

    assert "Stage MQL" in at_first
    assert "As handoff knew it at 2026-11-30 15:00 UTC" in at_first
    assert "accepted by the rep" not in at_first
    assert "Stage SAL" in now


def _explain(*args: str) -> str:
    result = CliRunner().invoke(inspect.explain_command, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout
