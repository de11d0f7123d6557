"""The routing state: an immutable value with a stable JSON round trip, small whatever the volume."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff.lifecycle.roster import RoutingContext
from handoff.lifecycle.routing_state import RoutingState
from tests.lifecycle.routing_world import ALWAYS_OPEN, TUESDAY_10AM, new_mql, roster

assignments = st.lists(
    st.tuples(
        st.sampled_from(["inbound", "emea"]),
        st.sampled_from(["ana@acme.example", "ben@acme.example", "dora@acme.example"]),
        st.integers(738_000, 740_000),
        st.integers(1_700_000_000, 1_900_000_000),
        st.floats(min_value=0, max_value=1e6, allow_nan=False),
        st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False)),
    ),
    max_size=30,
)


@given(assignments)
def test_json_round_trip_gives_an_equal_state(
    steps: list[tuple[str, str, int, int, float, float | None]],
) -> None:
    state = RoutingState()
    for team, email, day, at, load, level in steps:
        state = state.assigned(team, email, day=day, at=float(at), load=load, level=level)

    assert RoutingState.from_json(state.to_json()) == state
    assert RoutingState.from_dict(json.loads(state.to_json())) == state
    assert RoutingState.from_json(state.to_json()).to_json() == state.to_json()


def test_an_assignment_returns_a_new_state_and_leaves_the_old_one_alone() -> None:
    before = RoutingState()

    after = before.assigned("inbound", "ana@acme.example", day=1, at=10.0, load=0.5, level=0.0)

    assert before == RoutingState()
    assert after.rep("inbound", "ana@acme.example") is not None
    with pytest.raises(TypeError):
        after.teams["inbound"] = after.teams["inbound"]  # type: ignore[index]


def test_the_daily_count_starts_again_on_a_new_day_and_the_total_does_not() -> None:
    state = RoutingState()
    for day in (1, 1, 1, 2):
        state = state.assigned("inbound", "ana@acme.example", day=day, at=10.0, load=1.0, level=None)

    rep = state.rep("inbound", "ana@acme.example")
    assert rep is not None
    assert (rep.day, rep.today, rep.total) == (2, 1, 4)


def test_the_state_stays_small_however_many_leads_are_routed() -> None:
    routing = RoutingContext.of(roster())
    sizes = []
    for number in range(3000):
        decision = new_mql(routing, TUESDAY_10AM + timedelta(minutes=number), number, policy=ALWAYS_OPEN)
        routing = routing.after(decision)
        if number in (299, 2999):
            sizes.append(len(routing.state.to_json()))

    assert sizes[1] - sizes[0] < 20  # a few more digits in the counters, nothing per lead
    assert sizes[1] < 1000


def _rep(**fields: object) -> str:
    rep = {"day": "2026-11-30", "today": 1, "total": 1, "load": 1, **fields}
    return json.dumps({"teams": {"t": {"reps": {"a@b.c": rep}}}})


BAD = [
    ("not JSON", "{", "Invalid JSON"),
    ("unknown field", '{"version": 1, "teams": {}, "extra": 1}', "extra: unknown field"),
    ("negative count", _rep(today=-1), "teams.t.reps.a@b.c.today"),
    ("a day that is not a date", _rep(day="monday"), "teams.t.reps.a@b.c.day"),
    ("naive time", _rep(last_assigned_at="2026-11-30T10:00:00"), "last_assigned_at"),
    ("a future format", '{"version": 2, "teams": {}}', "version 2 (expected 1)"),
]


@pytest.mark.parametrize(("name", "text", "says"), BAD, ids=[b[0] for b in BAD])
def test_a_malformed_state_is_refused_naming_the_field(name: str, text: str, says: str) -> None:
    with pytest.raises(ValueError, match="not a routing state") as refused:
        RoutingState.from_json(text)

    assert says in str(refused.value), name


def test_from_dict_refuses_what_is_not_a_mapping() -> None:
    data: Any = ["teams"]

    with pytest.raises(ValueError, match="not a routing state"):
        RoutingState.from_dict(data)
