"""The Properties API, as ``handoff setup`` uses it: a group, typed properties, then writes."""

from __future__ import annotations

from typing import Any

import pytest
from hubspot.crm.properties import PropertyCreate, PropertyGroupCreate
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException

from handoff.sandbox.hubspot import HubSpotSandbox

from .conftest import api, value

_REASONS = ["no_budget", "timeline_12m_plus", "no_need", "competitor"]


def _setup(client: Any) -> None:
    core = client.crm.properties.core_api
    client.crm.properties.groups_api.create(
        object_type="contacts",
        property_group_create=PropertyGroupCreate(name="handoff", label="handoff"),
    )
    core.create(
        object_type="contacts",
        property_create=PropertyCreate(
            name="handoff_score", label="Score", type="number", field_type="number", group_name="handoff"
        ),
    )
    core.create(
        object_type="contacts",
        property_create=PropertyCreate(
            name="handoff_disqualification_reason",
            label="Disqualification reason",
            type="enumeration",
            field_type="select",
            group_name="handoff",
            options=[{"label": r, "value": r, "displayOrder": i} for i, r in enumerate(_REASONS)],
        ),
    )


def test_created_properties_can_then_be_written(sandbox: HubSpotSandbox, client: Any) -> None:
    contact = sandbox.state.create("contacts", {"email": "p@x.example"})
    _setup(client)

    client.crm.contacts.basic_api.update(
        contact.id,
        simple_public_object_input={
            "properties": {"handoff_score": "72", "handoff_disqualification_reason": "no_need"}
        },
    )
    listed = {p.name for p in client.crm.properties.core_api.get_all("contacts").results}
    reason = client.crm.properties.core_api.get_by_name("contacts", "handoff_disqualification_reason")

    assert value(sandbox, "contacts", contact.id, "handoff_score") == "72"
    assert {"handoff_score", "handoff_disqualification_reason", "lifecyclestage"} <= listed
    assert [o.value for o in reason.options] == _REASONS
    assert reason.group_name == "handoff"


def test_duplicates_answer_409(client: Any) -> None:
    _setup(client)
    with pytest.raises(PropertiesApiException) as group:
        client.crm.properties.groups_api.create(
            object_type="contacts",
            property_group_create=PropertyGroupCreate(name="handoff", label="again"),
        )
    with pytest.raises(PropertiesApiException) as prop:
        client.crm.properties.core_api.create(
            object_type="contacts",
            property_create=PropertyCreate(
                name="handoff_score", label="x", type="number", field_type="number", group_name="handoff"
            ),
        )
    assert group.value.status == prop.value.status == 409


def test_a_property_needs_an_existing_group(client: Any) -> None:
    with pytest.raises(PropertiesApiException) as raised:
        client.crm.properties.core_api.create(
            object_type="contacts",
            property_create=PropertyCreate(
                name="handoff_score", label="x", type="number", field_type="number", group_name="handoff"
            ),
        )
    assert raised.value.status == 400


def test_enumeration_values_are_checked_and_options_can_grow(sandbox: HubSpotSandbox, client: Any) -> None:
    contact = sandbox.state.create("contacts", {"email": "p@x.example"})
    _setup(client)
    path = f"/crm/v3/objects/contacts/{contact.id}"
    change = {"properties": {"handoff_disqualification_reason": "student"}}

    refused = api(sandbox, "PATCH", path, json=change)
    api(
        sandbox,
        "PATCH",
        "/crm/v3/properties/contacts/handoff_disqualification_reason",
        json={"options": [{"label": r, "value": r} for r in [*_REASONS, "student"]]},
    )
    accepted = api(sandbox, "PATCH", path, json=change)

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "INVALID_OPTION"
    assert accepted.status_code == 200


def test_standard_options_are_readable_for_start_up(client: Any) -> None:
    stage = client.crm.properties.core_api.get_by_name("contacts", "lifecyclestage")
    status = client.crm.properties.core_api.get_by_name("contacts", "hs_lead_status")
    owner = client.crm.properties.core_api.get_by_name("contacts", "hubspot_owner_id")

    assert [o.value for o in sorted(stage.options, key=lambda o: o.display_order)][:3] == [
        "subscriber",
        "lead",
        "marketingqualifiedlead",
    ]
    assert "IN_PROGRESS" in [o.value for o in status.options]
    assert owner.referenced_object_type == "OWNER"


def test_unknown_property_reads_are_404(sandbox: HubSpotSandbox) -> None:
    assert api(sandbox, "GET", "/crm/v3/properties/contacts/handoff_stage").status_code == 404
