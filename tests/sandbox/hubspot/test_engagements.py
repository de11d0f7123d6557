"""Engagements with associations, search by association, and the v4 associations batch read."""

from __future__ import annotations

from typing import Any

import pytest
from hubspot.crm.objects.notes.exceptions import ApiException as NotesApiException

from handoff.sandbox.hubspot import HubSpotSandbox

from .conftest import api


def _to_contact(contact_id: str, type_id: int) -> list[dict[str, Any]]:
    return [
        {
            "to": {"id": contact_id},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
        }
    ]


@pytest.fixture
def contact(sandbox: HubSpotSandbox) -> str:
    return sandbox.state.create("contacts", {"email": "e@x.example"}).id


def test_create_note_with_association_and_find_it_by_search(
    sandbox: HubSpotSandbox, client: Any, contact: str
) -> None:
    other = sandbox.state.create("contacts", {"email": "other@x.example"}).id
    note = client.crm.objects.notes.basic_api.create(
        simple_public_object_input_for_create={
            "properties": {"hs_timestamp": "1772460000000", "hs_note_body": "Called, left message"},
            "associations": _to_contact(contact, 202),
        }
    )
    client.crm.objects.notes.basic_api.create(
        simple_public_object_input_for_create={
            "properties": {"hs_timestamp": "2026-03-02T14:00:00Z", "hs_note_body": "Other"},
            "associations": _to_contact(other, 202),
        }
    )

    found = client.crm.objects.notes.search_api.do_search(
        public_object_search_request={
            "filterGroups": [
                {"filters": [{"propertyName": "associations.contact", "operator": "EQ", "value": contact}]}
            ],
            "properties": ["hs_note_body", "hs_timestamp"],
        }
    )

    assert [r.id for r in found.results] == [note.id]
    assert found.results[0].properties["hs_timestamp"] == "2026-03-02T14:00:00.000Z"
    assert found.results[0].properties["hs_lastmodifieddate"]


def test_engagements_require_hs_timestamp(client: Any, contact: str) -> None:
    with pytest.raises(NotesApiException) as raised:
        client.crm.objects.notes.basic_api.create(
            simple_public_object_input_for_create={
                "properties": {"hs_note_body": "no time"},
                "associations": _to_contact(contact, 202),
            }
        )
    assert raised.value.status == 400
    assert "hs_timestamp" in raised.value.body


def test_wrong_association_type_is_refused(sandbox: HubSpotSandbox, contact: str) -> None:
    answer = api(
        sandbox,
        "POST",
        "/crm/v3/objects/calls",
        json={"properties": {"hs_timestamp": "1772460000000"}, "associations": _to_contact(contact, 202)},
    )
    assert answer.status_code == 400


def test_email_direction_and_task_fields(sandbox: HubSpotSandbox, client: Any, contact: str) -> None:
    email = client.crm.objects.emails.basic_api.create(
        simple_public_object_input_for_create={
            "properties": {"hs_timestamp": "1772460000000", "hs_email_direction": "INCOMING_EMAIL"},
            "associations": _to_contact(contact, 198),
        }
    )
    task = client.crm.objects.tasks.basic_api.create(
        simple_public_object_input_for_create={
            "properties": {
                "hs_timestamp": "1772470000000",
                "hs_task_subject": "Follow up on demo request",
                "hs_task_status": "NOT_STARTED",
                "hs_task_priority": "HIGH",
            },
            "associations": _to_contact(contact, 204),
        }
    )
    read = client.crm.objects.tasks.batch_api.read(
        batch_read_input_simple_public_object_id={
            "properties": ["hs_task_subject", "hs_task_status"],
            "propertiesWithHistory": [],
            "inputs": [{"id": task.id}],
        }
    )

    assert email.properties["hs_email_direction"] == "INCOMING_EMAIL"
    assert read.results[0].properties["hs_task_subject"] == "Follow up on demo request"


def test_v4_batch_read_lists_associations_with_type_ids(
    sandbox: HubSpotSandbox, client: Any, contact: str
) -> None:
    lonely = sandbox.state.create("contacts", {"email": "lonely@x.example"}).id
    call = client.crm.objects.calls.basic_api.create(
        simple_public_object_input_for_create={
            "properties": {"hs_timestamp": "1772460000000", "hs_call_direction": "OUTBOUND"},
            "associations": _to_contact(contact, 194),
        }
    )

    answer = client.crm.associations.v4.batch_api.get_page(
        from_object_type="contacts",
        to_object_type="calls",
        batch_input_public_fetch_associations_batch_request={"inputs": [{"id": contact}, {"id": lonely}]},
    )

    [result] = answer.results
    assert result._from.id == contact
    assert result.to[0].to_object_id == call.id
    assert result.to[0].association_types[0].type_id == 193
    assert answer.num_errors == 1
    assert answer.errors[0].context == {"fromObjectId": [lonely]}


def test_primary_company_is_an_association(sandbox: HubSpotSandbox, client: Any) -> None:
    company = sandbox.state.create("companies", {"name": "Northwind", "domain": "northwind.example"})
    contact = sandbox.state.create(
        "contacts", {"email": "n@northwind.example", "associatedcompanyid": company.id}
    )

    answer = client.crm.associations.v4.batch_api.get_page(
        from_object_type="contacts",
        to_object_type="companies",
        batch_input_public_fetch_associations_batch_request={"inputs": [{"id": contact.id}]},
    )

    types = {t.type_id for t in answer.results[0].to[0].association_types}
    assert answer.results[0].to[0].to_object_id == company.id
    assert types == {1, 279}
