"""CRM search: paging, the 10,000 cap, filter semantics and limits, as HubSpot has them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from hubspot.crm.contacts import PublicObjectSearchRequest
from hubspot.crm.contacts.exceptions import ApiException

from handoff.sandbox.hubspot import HubSpotSandbox, RateLimitConfig, SimulatedClock
from handoff.sandbox.hubspot.clock import epoch_ms

from .conftest import START, SteppedMonotonic, api, sdk


def _search(client: Any, **request: Any) -> Any:
    return client.crm.contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(**request)
    )


def _ids(page: Any) -> list[str]:
    return [result.id for result in page.results]


def test_pages_carry_total_and_a_string_offset(sandbox: HubSpotSandbox, client: Any) -> None:
    ids = sandbox.state.bulk_create("contacts", [{"email": f"s{i}@x.example"} for i in range(450)])

    first = _search(client, limit=200)
    last = _search(client, limit=200, after="400")

    assert first.total == 450
    assert _ids(first) == ids[:200]
    assert first.paging.next.after == "200"
    assert _ids(last) == ids[400:]
    assert last.paging is None


def test_short_pages_still_carry_paging_next(clock: SimulatedClock) -> None:
    with HubSpotSandbox(clock=clock, rate_limits=RateLimitConfig.unlimited()) as sandbox:
        ids = sandbox.state.bulk_create("contacts", [{"email": f"q{i}@x.example"} for i in range(1_000)])
        client = sdk(sandbox)
        seen: list[str] = []
        sizes: list[int] = []
        after = "0"
        while True:
            page = _search(client, limit=200, after=after)
            seen += _ids(page)
            sizes.append(len(page.results))
            if page.paging is None:
                break
            after = page.paging.next.after

    assert min(sizes[:-1]) < 200, "some page before the last is short"
    assert seen == ids


def test_page_size_above_200_is_refused(client: Any) -> None:
    with pytest.raises(ApiException) as raised:
        _search(client, limit=201)
    assert raised.value.status == 400


def test_after_at_10000_is_refused(sandbox: HubSpotSandbox) -> None:
    answer = api(sandbox, "POST", "/crm/v3/objects/contacts/search", json={"after": "10000"})
    assert answer.status_code == 400
    assert answer.json()["category"] == "VALIDATION_ERROR"


def _window(start_ms: int, end_ms: int, next_id: int) -> list[dict[str, Any]]:
    return [
        {
            "filters": [
                {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(start_ms)},
                {"propertyName": "lastmodifieddate", "operator": "LTE", "value": str(end_ms)},
                {"propertyName": "hs_object_id", "operator": "GTE", "value": str(next_id)},
            ]
        }
    ]


def _raw_search(client: Any, body: dict[str, Any]) -> Any:
    """Through the SDK's ``api_request``: the typed API's model building is too slow for 60
    pages in a unit test."""
    answer = client.api_request({"method": "POST", "path": "/crm/v3/objects/contacts/search", "body": body})
    return answer.status_code, answer.json()


def _keyset_scan(client: Any, start_ms: int, end_ms: int) -> Iterator[str]:
    """The reference's keyset recipe: reset ``after`` and raise the id floor before 10,000."""
    next_id, after = 0, 0
    while True:
        _, page = _raw_search(
            client,
            {
                "filterGroups": _window(start_ms, end_ms, next_id),
                "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                "limit": 200,
                "after": str(after),
            },
        )
        yield from (result["id"] for result in page["results"])
        if "paging" not in page:
            return
        after = int(page["paging"]["next"]["after"])
        if after + 200 >= 10_000:
            next_id = max(int(result["id"]) for result in page["results"]) + 1
            after = 0


def test_12000_contacts_sharing_one_modified_date(sandbox: HubSpotSandbox, client: Any) -> None:
    bulk = START - timedelta(days=1)
    ids = sandbox.state.bulk_create(
        "contacts", [{"email": f"bulk{i}@x.example"} for i in range(12_000)], at=bulk
    )
    window = _window(epoch_ms(bulk), epoch_ms(START), 0)

    _, naive = _raw_search(client, {"filterGroups": window, "limit": 200, "after": "9800"})
    status, _ = _raw_search(
        client, {"filterGroups": window, "limit": 200, "after": naive["paging"]["next"]["after"]}
    )
    found = list(_keyset_scan(client, epoch_ms(bulk), epoch_ms(START)))

    assert naive["total"] == 12_000
    assert naive["paging"]["next"]["after"] == "10000"
    assert status == 400
    assert sorted(set(found), key=int) == ids
    assert len(found) == len(ids)


@pytest.fixture
def people(sandbox: HubSpotSandbox, clock: SimulatedClock) -> dict[str, str]:
    rows = {
        "ana": {"email": "ana@acme.example", "firstname": "Ana", "lifecyclestage": "lead"},
        "bo": {
            "email": "bo@globex.example",
            "firstname": "BO",
            "lifecyclestage": "customer",
            "hs_analytics_num_page_views": "12",
        },
        "cy": {
            "email": "cy@gmail.com",
            "firstname": "Cy",
            "jobtitle": "Student",
            "hs_analytics_num_page_views": "3",
        },
    }
    made: dict[str, str] = {}
    for name, props in rows.items():
        made[name] = sandbox.state.create("contacts", props).id
        clock.advance(timedelta(hours=1))
    return made


def _names(client: Any, people: dict[str, str], *filters: dict[str, Any]) -> list[str]:
    page = _search(client, filter_groups=[{"filters": list(filters)}], properties=["email"])
    by_id = {v: k for k, v in people.items()}
    return [by_id[result.id] for result in page.results]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"propertyName": "firstname", "operator": "EQ", "value": "bo"}, ["bo"]),
        ({"propertyName": "lifecyclestage", "operator": "EQ", "value": "LEAD"}, []),
        ({"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}, ["ana"]),
        ({"propertyName": "lifecyclestage", "operator": "NEQ", "value": "lead"}, ["bo", "cy"]),
        ({"propertyName": "hs_analytics_num_page_views", "operator": "GT", "value": "5"}, ["bo"]),
        (
            {"propertyName": "hs_analytics_num_page_views", "operator": "LTE", "value": 12},
            ["bo", "cy"],
        ),
        ({"propertyName": "firstname", "operator": "IN", "values": ["ana", "bo"]}, ["ana", "bo"]),
        ({"propertyName": "firstname", "operator": "IN", "values": ["Ana"]}, []),
        ({"propertyName": "firstname", "operator": "NOT_IN", "values": ["cy"]}, ["ana", "bo"]),
        ({"propertyName": "jobtitle", "operator": "HAS_PROPERTY"}, ["cy"]),
        ({"propertyName": "jobtitle", "operator": "NOT_HAS_PROPERTY"}, ["ana", "bo"]),
        ({"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@acme.example"}, ["ana"]),
        ({"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "gmail"}, ["cy"]),
        ({"propertyName": "email", "operator": "NOT_CONTAINS_TOKEN", "value": "gmail"}, ["ana", "bo"]),
    ],
)
def test_filter_operators(
    client: Any, people: dict[str, str], flt: dict[str, Any], expected: list[str]
) -> None:
    assert _names(client, people, flt) == expected


def test_date_filters_take_epoch_ms_or_iso(client: Any, people: dict[str, str]) -> None:
    low, high = START + timedelta(minutes=30), START + timedelta(hours=1, minutes=30)
    between = {
        "propertyName": "createdate",
        "operator": "BETWEEN",
        "value": str(epoch_ms(low)),
        "highValue": str(epoch_ms(high)),
    }
    iso = {"propertyName": "createdate", "operator": "GTE", "value": "2026-03-02T15:00:00Z"}

    assert _names(client, people, between) == ["bo"]
    assert _names(client, people, iso) == ["bo", "cy"]


def test_groups_are_ored_and_filters_anded(client: Any, people: dict[str, str]) -> None:
    page = _search(
        client,
        filter_groups=[
            {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "ana"}]},
            {
                "filters": [
                    {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"},
                    {"propertyName": "firstname", "operator": "EQ", "value": "bo"},
                ]
            },
        ],
    )
    assert sorted(_ids(page)) == sorted([people["ana"], people["bo"]])


def test_hs_object_id_compares_as_a_number(sandbox: HubSpotSandbox, client: Any) -> None:
    ids = sandbox.state.bulk_create("contacts", [{"email": f"n{i}@x.example"} for i in range(12)])
    flt = {"propertyName": "hs_object_id", "operator": "GTE", "value": "9"}

    page = _search(
        client,
        filter_groups=[{"filters": [flt]}],
        sorts=[{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
    )

    assert _ids(page) == ["12", "11", "10", "9"] == list(reversed(ids[8:]))


def test_sorting_and_default_creation_order(client: Any, people: dict[str, str]) -> None:
    by_views = _search(
        client,
        sorts=[{"propertyName": "hs_analytics_num_page_views", "direction": "DESCENDING"}],
    )
    default = _search(client)

    assert _ids(by_views) == [people["bo"], people["cy"], people["ana"]]
    assert _ids(default) == [people["ana"], people["bo"], people["cy"]]


def test_free_text_query(client: Any, people: dict[str, str]) -> None:
    assert _ids(_search(client, query="globex")) == [people["bo"]]


def _filters(count: int) -> list[dict[str, Any]]:
    return [{"propertyName": "firstname", "operator": "HAS_PROPERTY"}] * count


@pytest.mark.parametrize(
    "groups",
    [
        [{"filters": _filters(1)}] * 6,
        [{"filters": _filters(7)}],
        [{"filters": _filters(5)}] * 4,
    ],
    ids=["6 groups", "7 filters in a group", "20 filters"],
)
def test_too_many_filters_is_a_validation_error(
    sandbox: HubSpotSandbox, groups: list[dict[str, Any]]
) -> None:
    answer = api(sandbox, "POST", "/crm/v3/objects/contacts/search", json={"filterGroups": groups})
    assert answer.status_code == 400
    assert answer.json()["category"] == "VALIDATION_ERROR"


def test_eighteen_filters_in_three_groups_are_fine(sandbox: HubSpotSandbox) -> None:
    groups = [{"filters": _filters(6)}] * 3
    answer = api(sandbox, "POST", "/crm/v3/objects/contacts/search", json={"filterGroups": groups})
    assert answer.status_code == 200


def test_unknown_filter_property_and_two_sorts_are_refused(sandbox: HubSpotSandbox) -> None:
    unknown = {
        "filterGroups": [{"filters": [{"propertyName": "handoff_stage", "operator": "EQ", "value": "mql"}]}]
    }
    two_sorts = {"sorts": [{"propertyName": "email"}, {"propertyName": "firstname"}]}

    assert api(sandbox, "POST", "/crm/v3/objects/contacts/search", json=unknown).status_code == 400
    assert api(sandbox, "POST", "/crm/v3/objects/contacts/search", json=two_sorts).status_code == 400


def test_five_searches_per_second_then_the_secondly_429(clock: SimulatedClock) -> None:
    monotonic = SteppedMonotonic()
    with HubSpotSandbox(clock=clock, monotonic=monotonic) as sandbox:
        path = "/crm/v3/objects/contacts/search"
        allowed = [api(sandbox, "POST", path, json={}) for _ in range(5)]
        throttled = api(sandbox, "POST", path, json={})
        other = api(sandbox, "GET", "/crm/v3/objects/contacts")
        monotonic.advance(1.0)
        recovered = api(sandbox, "POST", path, json={})

    assert [a.status_code for a in allowed] == [200] * 5
    assert throttled.status_code == 429
    body = throttled.json()
    assert body["message"] == "You have reached your secondly limit."
    assert (body["errorType"], body["policyName"], body["status"]) == (
        "RATE_LIMIT",
        "SECONDLY",
        "error",
    )
    assert "Retry-After" not in throttled.headers
    assert not any(h.lower().startswith("x-hubspot-ratelimit") for h in allowed[0].headers)
    assert other.status_code == 200
    assert "X-HubSpot-RateLimit-Remaining" in other.headers
    assert recovered.status_code == 200


def test_changes_take_a_moment_to_become_searchable(clock: SimulatedClock) -> None:
    with HubSpotSandbox(
        clock=clock, rate_limits=RateLimitConfig.unlimited(), search_delay=timedelta(seconds=30)
    ) as sandbox:
        client = sdk(sandbox)
        contact = sandbox.state.create("contacts", {"email": "late@x.example", "firstname": "Old"})
        hidden = _search(client).total
        clock.advance(timedelta(seconds=31))
        sandbox.state.update("contacts", contact.id, {"firstname": "New"})
        stale = _search(client, properties=["firstname"]).results[0].properties["firstname"]
        clock.advance(timedelta(seconds=31))
        fresh = _search(client, properties=["firstname"]).results[0].properties["firstname"]

    assert (hidden, stale, fresh) == (0, "Old", "New")


def test_snake_case_fields_are_refused_not_ignored(client: Any) -> None:
    """A dict passed to the SDK is sent as-is; HubSpot refuses the unknown field."""
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.search_api.do_search(
            public_object_search_request={"filter_groups": [], "limit": 10}
        )
    assert raised.value.status == 400
    assert "Unrecognized field" in raised.value.body
