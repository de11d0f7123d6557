"""Property-based checks of the search engine against a plain Python reading of the filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from handoff.sandbox.hubspot import SandboxState, SimulatedClock
from handoff.sandbox.hubspot.search import SearchEngine, parse_plan

from .conftest import START

_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "LT": lambda a, b: a < b,
    "LTE": lambda a, b: a <= b,
    "GT": lambda a, b: a > b,
    "GTE": lambda a, b: a >= b,
    "EQ": lambda a, b: a == b,
    "NEQ": lambda a, b: a != b,
}


def _matches(engine: SearchEngine, flt: dict[str, Any]) -> set[str]:
    plan = parse_plan({"filterGroups": [{"filters": [flt]}], "limit": 200})
    return {result["id"] for result in engine.search("contacts", plan)["results"]}


@settings(max_examples=40, deadline=None)
@given(
    views=st.lists(st.one_of(st.none(), st.integers(0, 1_000)), min_size=1, max_size=40),
    operator=st.sampled_from(sorted(_COMPARE)),
    threshold=st.integers(-5, 1_005),
)
def test_numeric_filters_compare_numbers(views: list[int | None], operator: str, threshold: int) -> None:
    state = SandboxState(SimulatedClock(START))
    ids = state.bulk_create(
        "contacts",
        [{"hs_analytics_num_page_views": "" if v is None else str(v)} for v in views],
    )
    engine = SearchEngine(state, short_pages=False)

    found = _matches(
        engine,
        {"propertyName": "hs_analytics_num_page_views", "operator": operator, "value": str(threshold)},
    )
    by_id = _matches(engine, {"propertyName": "hs_object_id", "operator": operator, "value": threshold})

    compare = _COMPARE[operator]
    expected = {i for i, v in zip(ids, views, strict=True) if (v is not None and compare(v, threshold))}
    if operator == "NEQ":
        expected |= {i for i, v in zip(ids, views, strict=True) if v is None}
    assert found == expected
    assert by_id == {i for i in ids if compare(int(i), threshold)}
