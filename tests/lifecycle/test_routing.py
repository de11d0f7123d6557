"""Who gets the lead, and why: routing decisions as a table of situations, then escalation in steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest

from handoff.config.vocabulary import ActivityKind, Stage
from handoff.lifecycle.assignment import RouteMethod, RouteTrigger, SkipReason
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.records import Activity, Contact, Owner
from handoff.lifecycle.roster import RoutingContext
from handoff.lifecycle.routing_state import RoutingState
from tests.lifecycle.routing_world import (
    NEW_YORK,
    POLICY,
    QUEUE_ID,
    TUESDAY_10AM,
    away,
    carried,
    context,
    demo,
    lead,
    owner,
    roster,
    routing_policy,
    touch,
    trial,
)

T = TUESDAY_10AM
NY_6AM = T.replace(hour=6)  # London 11:00: Inbound closed, EMEA open
NY_11PM = T.replace(hour=23)  # everyone closed
THANKSGIVING = datetime(2026, 11, 26, 10, 0, tzinfo=NEW_YORK)  # US holiday, London at work


def without(*names: str) -> RoutingContext:
    return RoutingContext.of([o for o in roster() if o.id not in names])


def fay_at_capacity() -> RoutingContext:
    day = T.date().toordinal()
    state = RoutingState()
    for _ in range(2):
        state = state.assigned(
            "enterprise", "fay@acme.example", day=day, at=T.timestamp() - 60, load=1.0, level=0.0
        )
    return context().with_state(state)


@dataclass(frozen=True)
class Case:
    name: str
    contact: Contact
    owner: str | None
    method: RouteMethod | None
    trigger: RouteTrigger | None = None
    at: datetime = T
    routing: RoutingContext = field(default_factory=context)
    activities: tuple[Activity, ...] | None = None
    says: tuple[str, ...] = ()
    skips: tuple[tuple[str, SkipReason], ...] = ()


NEW = RouteTrigger.NEW_MQL
CASES = [
    Case(
        "a new MQL goes round robin in the default team, heaviest weight first",
        lead(),
        "ana",
        RouteMethod.ROUND_ROBIN,
        NEW,
        says=("New MQL → Inbound (default team): ana@acme.example by round robin",),
    ),
    Case(
        "an EMEA country: the territory rule picks EMEA",
        lead(country="GB"),
        "dora",
        RouteMethod.ROUND_ROBIN,
        NEW,
        says=("EMEA (rule 'EMEA')",),
    ),
    Case(
        "1,000+ employees: the Enterprise segment, before territory",
        lead(employees=5000, country="GB"),
        "fay",
        RouteMethod.ROUND_ROBIN,
        NEW,
        says=("Enterprise (rule 'Enterprise')",),
    ),
    Case(
        "the account's owner takes the lead",
        lead(),
        "cy",
        RouteMethod.ACCOUNT,
        NEW,
        routing=context(accounts={"customer1.example": "cy"}),
        says=("cy@acme.example, owner of the account customer1.example",),
    ),
    Case(
        "an account owner out of office is skipped for the round robin",
        lead(),
        "ana",
        RouteMethod.ROUND_ROBIN,
        NEW,
        routing=context(
            owner("cy", out_of_office=away(T - timedelta(days=1), 3)), accounts={"customer1.example": "cy"}
        ),
        skips=(("cy@acme.example", SkipReason.OUT_OF_OFFICE),),
    ),
    Case(
        "an account owner in no routing team is passed over",
        lead(),
        "ana",
        RouteMethod.ROUND_ROBIN,
        NEW,
        routing=context(accounts={"customer1.example": "max"}),
        skips=(("max@acme.example", SkipReason.NOT_IN_A_TEAM),),
    ),
    Case(
        "a deactivated rep never receives a lead",
        lead(),
        "ben",
        RouteMethod.ROUND_ROBIN,
        NEW,
        routing=context(owner("ana", active=False)),
        skips=(("ana@acme.example", SkipReason.INACTIVE),),
    ),
    Case(
        "a rep out of office is skipped",
        lead(),
        "ben",
        RouteMethod.ROUND_ROBIN,
        NEW,
        routing=context(owner("ana", out_of_office=away(T - timedelta(hours=1), 7))),
        skips=(("ana@acme.example", SkipReason.OUT_OF_OFFICE),),
    ),
    Case(
        "a member with no CRM owner is skipped",
        lead(),
        "ben",
        RouteMethod.ROUND_ROBIN,
        NEW,
        routing=without("ana"),
        skips=(("ana@acme.example", SkipReason.NOT_IN_CRM),),
    ),
    Case(
        "a paused rep (weight 0) is skipped",
        lead(),
        "ben",
        RouteMethod.ROUND_ROBIN,
        NEW,
        routing=context(),
        skips=(("ana@acme.example", SkipReason.PAUSED),),
    ),
    Case(
        "before 9:00 in New York, Inbound falls back to EMEA, named in the reason",
        lead(),
        "dora",
        RouteMethod.FALLBACK,
        NEW,
        at=NY_6AM,
        says=("Inbound (default team): nobody eligible; fallback EMEA: dora@acme.example",),
        skips=(("Inbound (all 3 reps)", SkipReason.OFF_HOURS),),
    ),
    Case(
        "a US public holiday closes Inbound: EMEA takes it",
        lead(),
        "dora",
        RouteMethod.FALLBACK,
        NEW,
        at=THANKSGIVING,
        skips=(("Inbound (all 3 reps)", SkipReason.OFF_HOURS),),
    ),
    Case(
        "at night nobody works: the queue, with the chain named",
        lead(),
        QUEUE_ID,
        RouteMethod.QUEUE,
        NEW,
        at=NY_11PM,
        says=("nobody eligible in Inbound, EMEA; queue Inbound",),
    ),
    Case(
        "the Enterprise rep at daily capacity: fallback to Inbound",
        lead(employees=5000),
        "ana",
        RouteMethod.FALLBACK,
        NEW,
        routing=fay_at_capacity(),
        says=("fallback Inbound",),
        skips=(("fay@acme.example", SkipReason.AT_CAPACITY),),
    ),
    Case(
        "the queue missing from the CRM: the team's manager",
        lead(employees=5000),
        "max",
        RouteMethod.MANAGER,
        NEW,
        at=NY_11PM,
        routing=without(QUEUE_ID),
        skips=(("Inbound queue", SkipReason.NOT_IN_CRM),),
    ),
    Case(
        "nobody at all: the owner stays empty and a person is told",
        lead(),
        None,
        RouteMethod.NONE,
        NEW,
        at=NY_11PM,
        routing=without(QUEUE_ID),
        says=("nobody can take it",),
    ),
    Case("a lead below MQL is never routed", lead(), None, None, activities=()),
    Case(
        "a SAL whose owner was deactivated goes to the next rep",
        lead(stage=Stage.SAL, stage_entered_at=T - timedelta(days=1), accepted=True, owner_id="ana"),
        "ben",
        RouteMethod.ROUND_ROBIN,
        RouteTrigger.OWNER_INACTIVE,
        routing=context(owner("ana", active=False)),
        activities=(),
        says=("Owner ana@acme.example is deactivated in the CRM",),
    ),
    Case(
        "an MQL whose owner left the CRM is routed again",
        lead(stage=Stage.MQL, stage_entered_at=T - timedelta(hours=1), owner_id="zed"),
        "ana",
        RouteMethod.ROUND_ROBIN,
        RouteTrigger.OWNER_REMOVED,
        activities=(),
        says=("Owner zed is no longer in the CRM",),
    ),
    Case(
        "a new MQL already owned by an available rep stays with them",
        lead(owner_id="ben"),
        "ben",
        RouteMethod.KEPT,
        NEW,
        says=("stays with its owner ben@acme.example",),
    ),
    Case(
        "a new MQL owned by someone outside the teams is routed",
        lead(owner_id="max"),
        "ana",
        RouteMethod.ROUND_ROBIN,
        NEW,
    ),
    Case(
        "an MQL waiting in the queue goes to the first free rep",
        lead(stage=Stage.MQL, stage_entered_at=T - timedelta(hours=9), owner_id=QUEUE_ID),
        "ana",
        RouteMethod.ROUND_ROBIN,
        RouteTrigger.QUEUED,
        activities=(),
        says=("Waiting in Inbound queue → Inbound",),
    ),
    Case(
        "an MQL waiting in the queue while nobody works stays there, quietly",
        lead(stage=Stage.MQL, stage_entered_at=NY_11PM - timedelta(hours=1), owner_id=QUEUE_ID),
        QUEUE_ID,
        None,
        at=NY_11PM,
        activities=(),
    ),
    Case(
        "an MQL parked in the queue by the escalation limit stays there",
        lead(
            stage=Stage.MQL,
            stage_entered_at=T - timedelta(hours=1),
            owner_id=QUEUE_ID,
            escalated_from=("ana", "ben", "cy"),
        ),
        QUEUE_ID,
        None,
        activities=(),
    ),
    Case(
        "a disqualified lead is never routed, even with a departed owner",
        lead(stage=Stage.DISQUALIFIED, owner_id="zed", disqualification_reason="no_need"),
        "zed",
        None,
        activities=(),
    ),
    Case(
        "a CRM-owned opportunity is never routed",
        lead(stage=Stage.OPPORTUNITY, owner_id="zed"),
        "zed",
        None,
        activities=(),
    ),
]
PAUSED_POLICY = routing_policy(weights=(0, 1, 1))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_routing(case: Case) -> None:
    policy = PAUSED_POLICY if "paused" in case.name else POLICY
    activities = case.activities if case.activities is not None else (demo(case.at),)

    decision = evaluate(case.contact, activities, policy, case.at, routing=case.routing)

    assert decision.owner_id == case.owner
    assert decision.previous_owner_id == case.contact.owner_id
    if case.method is None:
        assert decision.routing is None
        return
    assert decision.routing is not None
    assert (decision.routing.method, decision.routing.trigger) == (case.method, case.trigger)
    for fragment in case.says:
        assert fragment in decision.routing.reason
    passed_over = {(skip.who, skip.reason) for skip in decision.routing.skipped}
    assert set(case.skips) <= passed_over, decision.routing.skipped
    if case.method is RouteMethod.NONE:
        assert any("Routing found nobody" in problem for problem in decision.problems)


def test_an_account_owner_passed_over_is_named_once_with_the_account() -> None:
    away_cy = context(
        owner("cy", out_of_office=away(T - timedelta(days=1), 3)), accounts={"customer1.example": "cy"}
    )

    decision = evaluate(lead(), [demo(T)], POLICY, T, routing=away_cy)

    assert decision.routing is not None
    cy = [skip for skip in decision.routing.skipped if skip.who == "cy@acme.example"]
    assert [skip.detail.split(";")[0] for skip in cy] == ["account owner of customer1.example"]


def test_without_a_routing_context_the_owner_is_left_alone() -> None:
    contact = lead(owner_id="zed")

    decision = evaluate(contact, [demo(T)], POLICY, T)

    assert decision.stage is Stage.MQL
    assert (decision.owner_id, decision.routing, decision.clocks, decision.routing_state) == (
        "zed",
        None,
        (),
        None,
    )
    assert not decision.owner_changed


def test_the_routing_state_moves_on_only_when_a_rep_is_assigned() -> None:
    routing = context()

    first = evaluate(lead(1), [demo(T)], POLICY, T, routing=routing)
    below_mql = evaluate(lead(2), [], POLICY, T, routing=routing.after(first))

    assert first.routing_state is not None
    assert first.routing_state.rep("inbound", "ana@acme.example") is not None
    assert below_mql.routing_state == first.routing_state


# --- Escalation: the same lead evaluated again later, nothing else changing ---------------------


def _walk(
    contact: Contact, activities: list[Activity], moments: list[datetime], routing: RoutingContext
) -> list[tuple[str | None, RouteTrigger | None, int]]:
    """Evaluate at each moment, carrying stage, owner and routing state forward as the runtime does."""
    seen = []
    for moment in moments:
        decision = evaluate(contact, activities, POLICY, moment, routing=routing)
        trigger = decision.routing.trigger if decision.routing and decision.owner_changed else None
        seen.append((decision.owner_id, trigger, len(decision.escalated_from)))
        contact = carried(contact, decision)
        routing = routing.after(decision)
    return seen


def test_escalation_moves_the_lead_every_15_business_minutes_then_stops_at_the_queue() -> None:
    minutes = [0, 14, 15, 29, 30, 45, 60, 120]

    seen = _walk(lead(), [demo(T)], [T + timedelta(minutes=m) for m in minutes], context())

    escalated = RouteTrigger.ESCALATION
    assert seen == [
        ("ana", RouteTrigger.NEW_MQL, 0),
        ("ana", None, 0),
        ("ben", escalated, 1),
        ("ben", None, 1),
        ("cy", escalated, 2),
        (QUEUE_ID, escalated, 3),
        (QUEUE_ID, None, 3),
        (QUEUE_ID, None, 3),
    ]


def test_the_escalation_reason_and_due_time_are_on_the_decision() -> None:
    first = evaluate(lead(), [demo(T)], POLICY, T, routing=context())
    later = evaluate(carried(lead(), first), [demo(T)], POLICY, T + timedelta(minutes=15), routing=context())

    assert first.escalation_due_at == T + timedelta(minutes=15)
    assert first.next_check_at == T + timedelta(minutes=15)
    assert later.routing is not None
    assert later.routing.escalated
    assert later.routing.reason.startswith(
        "Escalation 1 of 2: ana@acme.example did not accept or touch the lead within 15m of business time"
    )
    assert ("ana@acme.example", SkipReason.ALREADY_HAD_IT) in {
        (s.who, s.reason) for s in later.routing.skipped
    }


def test_escalation_past_the_limit_goes_to_the_manager_of_the_team() -> None:
    enterprise = lead(employees=5000)
    moments = [T + timedelta(minutes=m) for m in (0, 15, 30, 45, 90)]

    seen = _walk(enterprise, [demo(T)], moments, context())

    assert [owner_id for owner_id, _, _ in seen] == ["fay", "ana", "ben", "max", "max"]


def test_escalation_counts_business_minutes_only() -> None:
    late = T.replace(hour=16, minute=55)
    moments = [
        late,
        late.replace(hour=17, minute=30),
        (late + timedelta(days=1)).replace(hour=9, minute=9),
        (late + timedelta(days=1)).replace(hour=9, minute=10),
    ]

    seen = _walk(lead(), [demo(late)], moments, context())

    assert [owner_id for owner_id, _, _ in seen] == ["ana", "ana", "ana", "ben"]


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("a call by the owner", lambda at: touch(ActivityKind.CALL, "ana", at)),
        ("an email by the owner", lambda at: touch(ActivityKind.EMAIL_SENT, "ana", at)),
        ("a meeting by the owner", lambda at: touch(ActivityKind.MEETING, "ana", at)),
    ],
)
def test_a_touch_by_the_owner_stops_escalation(name: str, action: Callable[[datetime], Activity]) -> None:
    first = evaluate(lead(), [demo(T)], POLICY, T, routing=context())
    acted = [demo(T), action(T + timedelta(minutes=10))]

    later = evaluate(carried(lead(), first), acted, POLICY, T + timedelta(hours=2), routing=context())

    assert later.owner_id == "ana", name
    assert later.escalation_due_at is None


def test_a_touch_by_someone_else_does_not_stop_escalation() -> None:
    first = evaluate(lead(), [demo(T)], POLICY, T, routing=context())
    other = [demo(T), touch(ActivityKind.CALL, "dora", T + timedelta(minutes=5))]

    later = evaluate(carried(lead(), first), other, POLICY, T + timedelta(minutes=15), routing=context())

    assert later.owner_id == "ben"


def test_acceptance_stops_escalation() -> None:
    first = evaluate(lead(), [demo(T)], POLICY, T, routing=context())
    accepted = replace(carried(lead(), first), accepted=True)

    later = evaluate(accepted, [demo(T)], POLICY, T + timedelta(hours=1), routing=context())

    assert (later.stage, later.owner_id, later.escalation_due_at) == (Stage.SAL, "ana", None)


def test_a_score_based_mql_is_routed_like_any_other() -> None:
    decision = evaluate(lead(), [trial(T)], POLICY, T, routing=context())

    assert decision.stage is Stage.MQL
    assert decision.owner_id == "ana"


def test_an_active_owner_wins_over_a_deactivated_one_with_the_same_email() -> None:
    old_ana = Owner(id="ana-2019", email="ANA@acme.example", active=False)
    routing = RoutingContext.of([*roster(), old_ana])

    assert evaluate(lead(), [demo(T)], POLICY, T, routing=routing).owner_id == "ana"


def test_owners_without_email_or_name_are_fine_in_the_roster() -> None:
    routing = RoutingContext.of([*roster(), Owner(id="bare")])

    assert evaluate(lead(), [demo(T)], POLICY, T, routing=routing).owner_id == "ana"
