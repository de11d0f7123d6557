"""The lead's memory: what `recall` lays over the contact, and what `remember` keeps after a decision.
Tables of cases, the shipped policy, no mocks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handoff.config.policy import Policy
from handoff.config.vocabulary import ActivityKind, Stage
from handoff.lifecycle.clock import ClockName, ClockStatus
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.memory import NEW_LEAD, LeadMemory, recall
from handoff.lifecycle.outputs import OutputField
from handoff.lifecycle.records import Activity, Company, Contact, Owner
from handoff.lifecycle.roster import RoutingContext
from tests.conftest import NOW

EARLIER = NOW - timedelta(days=3)
FIRM = Company(name="Acme", domain="acme.example", employees=200, industry="Computer Software", country="US")
BASE = Contact(id="c1", email="vp@acme.example", title="VP Sales", company=FIRM, stage=Stage.LEAD)
DEMO = (Activity("demo", ActivityKind.DEMO_REQUEST, NOW - timedelta(minutes=5)),)
ANA = Owner(id="201", email="ana.silva@acme.example", name="Ana Silva")


@pytest.mark.parametrize(
    ("contact", "memory", "expected"),
    [
        pytest.param(
            BASE, NEW_LEAD, {"stage": Stage.LEAD, "owner_id": None}, id="a new lead is as the CRM says"
        ),
        pytest.param(
            BASE,
            LeadMemory(stage=Stage.MQL, pending={OutputField.STAGE: "mql", OutputField.OWNER: "201"}),
            {"stage": Stage.MQL, "owner_id": "201"},
            id="unconfirmed writes win over the CRM's old values",
        ),
        pytest.param(
            Contact(id="c1", stage=Stage.OPPORTUNITY),
            LeadMemory(stage=Stage.SQL, pending={OutputField.STAGE: "sql"}),
            {"stage": Stage.OPPORTUNITY},
            id="a stage the CRM owns is never overlaid",
        ),
        pytest.param(
            Contact(id="c1", stage=Stage.SAL, stage_entered_at=NOW),
            LeadMemory(stage=Stage.SAL, entered={Stage.MQL: EARLIER, Stage.SAL: NOW - timedelta(hours=1)}),
            {"mql_at": EARLIER, "stage_entered_at": NOW - timedelta(hours=1)},
            id="stage entries come from memory",
        ),
        pytest.param(
            Contact(id="c1", stage=Stage.MQL, owner_id="201", owner_assigned_at=NOW - timedelta(hours=2)),
            LeadMemory(stage=Stage.MQL, owner_id="201", owner_assigned_at=EARLIER, escalated_from=("205",)),
            {"owner_assigned_at": NOW - timedelta(hours=2), "escalated_from": ("205",)},
            id="the CRM's own assignment date wins; escalations are remembered",
        ),
        pytest.param(
            Contact(id="c1", stage=Stage.MQL, owner_id="207"),
            LeadMemory(stage=Stage.MQL, owner_id="201", owner_assigned_at=EARLIER, escalated_from=("205",)),
            {"owner_assigned_at": None, "escalated_from": ()},
            id="an owner changed in the CRM starts afresh",
        ),
        pytest.param(
            Contact(id="c1", stage=Stage.MQL, accepted=True),
            LeadMemory(stage=Stage.MQL),
            {"accepted_at": NOW},
            id="an acceptance first seen now is dated now",
        ),
        pytest.param(
            Contact(id="c1", stage=Stage.SAL, accepted=True),
            LeadMemory(stage=Stage.SAL, accepted_at=EARLIER),
            {"accepted_at": EARLIER},
            id="an acceptance seen before keeps its date",
        ),
    ],
)
def test_recall(contact: Contact, memory: LeadMemory, expected: dict[str, object]) -> None:
    recalled = recall(contact, memory, NOW)

    assert {name: getattr(recalled, name) for name in expected} == expected


def test_a_decision_hands_back_the_memory_after_it(policy: Policy) -> None:
    routing = RoutingContext.of([ANA])

    decision = evaluate(BASE, DEMO, policy, NOW, routing=routing, memory=NEW_LEAD, crm={})

    memory = decision.memory
    assert memory is not None
    assert memory.stage is Stage.MQL
    assert memory.entered == {Stage.MQL: NOW}
    assert memory.owner_id == "201"
    assert memory.owner_assigned_at == NOW
    assert decision.routing is not None
    assert decision.routing.owner_id == "201"
    assert memory.clocks == {clock.name: clock.status for clock in decision.clocks}
    assert ClockName.FIRST_TOUCH in memory.clocks
    assert memory.pending == decision.changes
    assert decision.changes is not None
    assert decision.changes[OutputField.STAGE] == "mql"
    assert [n.key.split(":")[0] for n in decision.notices] == ["assigned"]


def test_the_memory_keeps_an_entry_the_crm_will_not_say_again(policy: Policy) -> None:
    """An MQL from before handoff watched, accepted now: once it is an SAL the CRM no longer says
    when it became an MQL, so the memory must."""
    accepted = Contact(
        id="c1",
        email="vp@acme.example",
        title="VP Sales",
        company=FIRM,
        stage=Stage.MQL,
        stage_entered_at=EARLIER,
        accepted=True,
        owner_id="201",
    )

    decision = evaluate(
        accepted, DEMO, policy, NOW, routing=RoutingContext.of([ANA]), memory=NEW_LEAD, crm={}
    )

    assert decision.stage is Stage.SAL
    assert decision.memory is not None
    assert decision.memory.entered[Stage.MQL] == EARLIER
    assert decision.memory.entered[Stage.SAL] == NOW


def test_a_status_already_told_is_not_told_again(policy: Policy) -> None:
    late = Contact(
        id="c1",
        email="vp@acme.example",
        title="VP Sales",
        company=FIRM,
        stage=Stage.MQL,
        stage_entered_at=NOW - timedelta(days=10),
        owner_id="201",
        owner_assigned_at=NOW - timedelta(days=10),
    )
    routing = RoutingContext.of([ANA])
    first = evaluate(
        late, DEMO, policy, NOW, routing=routing, memory=LeadMemory(stage=Stage.MQL, owner_id="201")
    )
    assert first.memory is not None

    again = evaluate(late, DEMO, policy, NOW + timedelta(minutes=1), routing=routing, memory=first.memory)

    assert any(n.breach for n in first.notices)
    assert first.memory.clocks[ClockName.FIRST_TOUCH] is ClockStatus.BREACHED
    assert not [n for n in again.notices if n.key.startswith("sla:")], "the breach was told once"
