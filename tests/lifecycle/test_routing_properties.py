"""Fairness and eligibility hold for every stream of leads, not only the ones we thought of."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from handoff.config.policy import Policy
from handoff.lifecycle.assignment import RouteMethod, SkipReason
from handoff.lifecycle.decision import Decision
from handoff.lifecycle.roster import RoutingContext
from handoff.lifecycle.routing_plan import compile_routing
from tests.lifecycle.routing_world import (
    ALWAYS_OPEN,
    POLICY,
    QUEUE_ID,
    TUESDAY_10AM,
    away,
    new_mql,
    owner,
    roster,
    routing_policy,
)

INBOUND = ("ana", "ben", "cy")


def stream(
    routing: RoutingContext, count: int, start: datetime, every: timedelta, policy: Policy = ALWAYS_OPEN
) -> Iterator[Decision]:
    """`count` new MQLs, one every `every`, the routing state threaded through as the runtime does."""
    for number in range(count):
        decision = new_mql(routing, start + every * number, number, policy=policy)
        routing = routing.after(decision)
        yield decision


def shares(decisions: list[Decision]) -> dict[str | None, float]:
    counts = Counter(decision.owner_id for decision in decisions)
    return {name: counts[name] / len(decisions) for name in counts}


def test_weights_2_1_1_give_50_25_25_percent_over_10000_leads() -> None:
    decisions = list(stream(RoutingContext.of(roster()), 10_000, TUESDAY_10AM, timedelta(minutes=1)))

    share = shares(decisions)
    assert abs(share["ana"] - 0.50) <= 0.01
    assert abs(share["ben"] - 0.25) <= 0.01
    assert abs(share["cy"] - 0.25) <= 0.01


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=3, max_size=3), st.integers(100, 400))
def test_every_prefix_of_the_stream_is_within_one_lead_of_the_weights(weights: list[int], count: int) -> None:
    policy = routing_policy(weights=tuple(weights), capacities=(None, None, None), always_open=True)
    counts: Counter[str | None] = Counter()
    for seen, decision in enumerate(
        stream(RoutingContext.of(roster()), count, TUESDAY_10AM, timedelta(minutes=1), policy), start=1
    ):
        counts[decision.owner_id] += 1
        for name, weight in zip(INBOUND, weights, strict=True):
            assert abs(counts[name] - seen * weight / sum(weights)) < 2


def test_adding_a_rep_halfway_resets_nobody_and_gives_the_newcomer_no_burst() -> None:
    routing = RoutingContext.of(roster())
    first_half = list(stream(routing, 3000, TUESDAY_10AM, timedelta(minutes=1)))
    state = first_half[-1].routing_state
    assert state is not None
    before = {name: state.rep("inbound", f"{name}@acme.example") for name in INBOUND}
    grown = routing_policy(weights=(2, 1, 1, 1), capacities=(None,) * 4, always_open=True)
    newcomer = RoutingContext.of(roster(extra=(owner("dan"),)), state)

    second_half = list(stream(newcomer, 3000, TUESDAY_10AM + timedelta(days=3), timedelta(minutes=1), grown))

    first_of_second = second_half[0].routing_state
    assert first_of_second is not None
    for name in INBOUND:
        kept, earlier = first_of_second.rep("inbound", f"{name}@acme.example"), before[name]
        assert kept is not None
        assert earlier is not None
        assert kept.total >= earlier.total  # nobody's count was reset
    dan = 0
    for seen, decision in enumerate(second_half, start=1):
        dan += decision.owner_id == "dan"
        assert dan <= seen / 5 + 1  # weight 1 of 5: never more than his share
    assert abs(shares(second_half)["dan"] - 0.20) <= 0.01


def test_a_rep_back_from_a_week_off_gets_no_catch_up_burst() -> None:
    week_off = away(TUESDAY_10AM, 7)
    routing = RoutingContext.of(roster(owner("cy", out_of_office=week_off)))
    every = timedelta(minutes=30)

    decisions = list(stream(routing, 14 * 48, TUESDAY_10AM, every))

    back = [d for d in decisions if d.evaluated_at >= week_off[0].end]
    assert not any(d.owner_id == "cy" for d in decisions if d.evaluated_at < week_off[0].end)
    cy = 0
    for seen, decision in enumerate(back, start=1):
        cy += decision.owner_id == "cy"
        assert cy <= seen / 4 + 1  # weight 1 of 4, from the first lead after her return


reps = st.sampled_from(["ana", "ben", "cy", "dora", "eli", "fay"])


@settings(max_examples=40, deadline=None)
@given(
    inactive=st.sets(reps, max_size=3),
    on_leave=st.dictionaries(reps, st.tuples(st.integers(0, 72), st.integers(1, 72)), max_size=3),
    capacities=st.lists(st.integers(1, 4), min_size=3, max_size=3),
    arrivals=st.lists(st.integers(0, 4 * 24 * 60), min_size=1, max_size=60),
)
def test_nobody_off_hours_inactive_away_or_full_ever_receives_a_lead(
    inactive: set[str], on_leave: dict[str, tuple[int, int]], capacities: list[int], arrivals: list[int]
) -> None:
    start = TUESDAY_10AM.replace(hour=0)
    changed = [
        owner(
            name,
            active=name not in inactive,
            out_of_office=away(start + timedelta(hours=on_leave[name][0]), on_leave[name][1] / 24)
            if name in on_leave
            else (),
        )
        for name in {*inactive, *on_leave}
    ]
    policy = routing_policy(capacities=tuple(capacities))
    plan = compile_routing(policy)
    assert plan is not None
    routing = RoutingContext.of(roster(*changed))
    per_day: Counter[tuple[str, int]] = Counter()
    for number, minute in enumerate(sorted(arrivals)):
        at = start + timedelta(minutes=minute)
        decision = new_mql(routing, at, number, policy=policy)
        routing = routing.after(decision)
        seat = plan.seat_of(f"{decision.owner_id}@acme.example")
        if seat is None:
            assert decision.owner_id in (QUEUE_ID, "max")
            continue
        rep = routing.roster.by_id[decision.owner_id or ""]
        assert rep.active
        assert rep.away(at) is None
        assert seat.calendar.is_open(at.timestamp())
        day = seat.calendar.day_of(at.timestamp()).ordinal
        per_day[seat.email, day] += 1
        if seat.capacity is not None:
            assert per_day[seat.email, day] <= seat.capacity


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["inactive", "away", "missing"]), min_size=5, max_size=5))
def test_with_every_rep_ineligible_the_fallback_chain_is_followed_and_named(reasons: list[str]) -> None:
    names = ("ana", "ben", "cy", "dora", "eli")
    changed = [
        owner(name, active=False)
        if why == "inactive"
        else owner(name, out_of_office=away(TUESDAY_10AM - timedelta(days=1), 3))
        for name, why in zip(names, reasons, strict=True)
        if why != "missing"
    ]
    missing = {name for name, why in zip(names, reasons, strict=True) if why == "missing"}
    routing = RoutingContext.of([o for o in roster(*changed) if o.id not in missing])

    decision = new_mql(routing, TUESDAY_10AM, policy=POLICY)

    assert decision.owner_id == QUEUE_ID
    assert decision.routing is not None
    assert decision.routing.method is RouteMethod.QUEUE
    assert decision.routing.tried == ("inbound", "emea")
    assert "nobody eligible in Inbound, EMEA; queue Inbound queue" in decision.routing.reason
    expected = {
        "inactive": SkipReason.INACTIVE,
        "away": SkipReason.OUT_OF_OFFICE,
        "missing": SkipReason.NOT_IN_CRM,
    }
    skipped = {skip.who: skip.reason for skip in decision.routing.skipped}
    for name, why in zip(names, reasons, strict=True):
        assert skipped[f"{name}@acme.example"] is expected[why]
