"""Deals over HTTP: created with their contacts, searched by `hs_lastmodifieddate`, batch read,
their contacts read through the v4 associations, with HubSpot's calculated closed/won flags."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.sandbox.hubspot.clock import iso

from .conftest import api


def _deal(sandbox: HubSpotSandbox, contact_id: str, stage: str = "qualifiedtobuy") -> str:
    body = {
        "properties": {
            "dealname": "Subscription",
            "pipeline": "default",
            "dealstage": stage,
            "amount": "1200.5",
        },
        "associations": [
            {
                "to": {"id": contact_id},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}],
            }
        ],
    }
    answer = api(sandbox, "POST", "/crm/v3/objects/deals", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _contact(sandbox: HubSpotSandbox, email: str) -> str:
    return sandbox.state.create("contacts", {"email": email}).id


@pytest.mark.parametrize(
    ("stage", "closed", "won"),
    [
        ("appointmentscheduled", "false", "false"),
        ("contractsent", "false", "false"),
        ("closedwon", "true", "true"),
        ("closedlost", "true", "false"),
    ],
)
def test_closed_and_won_are_calculated_from_the_stage(
    sandbox: HubSpotSandbox, stage: str, closed: str, won: str
) -> None:
    deal_id = _deal(sandbox, _contact(sandbox, "a@x.example"), stage)

    answer = api(
        sandbox,
        "POST",
        "/crm/v3/objects/deals/batch/read",
        json={
            "properties": ["dealstage", "hs_is_closed", "hs_is_closed_won", "amount"],
            "inputs": [{"id": deal_id}],
        },
    )

    [found] = answer.json()["results"]
    assert {
        k: found["properties"][k] for k in ("dealstage", "hs_is_closed", "hs_is_closed_won", "amount")
    } == {
        "dealstage": stage,
        "hs_is_closed": closed,
        "hs_is_closed_won": won,
        "amount": "1200.5",
    }


def test_the_calculated_flags_cannot_be_written(sandbox: HubSpotSandbox) -> None:
    deal_id = _deal(sandbox, _contact(sandbox, "a@x.example"))

    answer = api(
        sandbox,
        "PATCH",
        f"/crm/v3/objects/deals/{deal_id}",
        json={"properties": {"hs_is_closed_won": "true"}},
    )

    assert answer.status_code == 400
    assert "read-only" in answer.text


def test_deals_are_searched_by_last_modified_and_their_contacts_read(
    sandbox: HubSpotSandbox, clock: SimulatedClock
) -> None:
    ada, bob = _contact(sandbox, "ada@x.example"), _contact(sandbox, "bob@x.example")
    old = _deal(sandbox, ada)
    clock.advance(timedelta(days=2))
    since = clock()
    new = _deal(sandbox, bob)
    search: dict[str, Any] = {
        "filterGroups": [
            {"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": iso(since)}]}
        ],
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "properties": ["dealstage"],
        "limit": 200,
    }

    found = api(sandbox, "POST", "/crm/v3/objects/deals/search", json=search).json()
    links = api(
        sandbox,
        "POST",
        "/crm/v4/associations/deals/contacts/batch/read",
        json={"inputs": [{"id": old}, {"id": new}]},
    ).json()

    assert [r["id"] for r in found["results"]] == [new]
    assert {r["from"]["id"]: [t["toObjectId"] for t in r["to"]] for r in links["results"]} == {
        old: [int(ada)],
        new: [int(bob)],
    }
    back = api(
        sandbox, "POST", "/crm/v4/associations/contacts/deals/batch/read", json={"inputs": [{"id": ada}]}
    ).json()
    assert [t["toObjectId"] for t in back["results"][0]["to"]] == [int(old)]
