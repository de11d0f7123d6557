"""Records over the SDK: create, read, list, update, history, and HubSpot's error answers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import requests
from hubspot.crm.contacts.exceptions import ApiException

from handoff.sandbox.hubspot import ChangeSource, HubSpotSandbox, SimulatedClock

from .conftest import TOKEN, api


def test_create_then_read_back_with_default_properties(client: Any) -> None:
    created = client.crm.contacts.basic_api.create(
        simple_public_object_input_for_create={
            "properties": {"email": "Ana@Northwind.example", "firstname": "Ana"}
        }
    )

    fetched = client.crm.contacts.basic_api.get_by_id(created.id)

    assert set(fetched.properties) == {
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }
    assert fetched.properties["lastname"] is None
    assert fetched.properties["hs_object_id"] == created.id


def test_requested_properties_come_with_the_always_returned_ones(
    sandbox: HubSpotSandbox, client: Any
) -> None:
    contact = sandbox.state.create("contacts", {"email": "a@x.example", "jobtitle": "CFO"})

    fetched = client.crm.contacts.basic_api.get_by_id(contact.id, properties=["jobtitle", "nope"])

    assert fetched.properties == {
        "jobtitle": "CFO",
        "hs_object_id": contact.id,
        "createdate": fetched.properties["createdate"],
        "lastmodifieddate": fetched.properties["lastmodifieddate"],
    }


def test_api_write_moves_lastmodifieddate_and_records_history(
    sandbox: HubSpotSandbox, clock: SimulatedClock, client: Any
) -> None:
    contact = sandbox.state.create(
        "contacts", {"email": "b@x.example", "jobtitle": "Analyst"}, source=ChangeSource("FORM")
    )
    clock.advance(timedelta(minutes=5))

    updated = client.crm.contacts.basic_api.update(
        contact.id, simple_public_object_input={"properties": {"jobtitle": "Head of Sales"}}
    )
    fetched = client.crm.contacts.basic_api.get_by_id(contact.id, properties_with_history=["jobtitle"])

    assert updated.properties["lastmodifieddate"] == "2026-03-02T14:05:00.000Z"
    assert fetched.updated_at > fetched.created_at
    history = fetched.properties_with_history["jobtitle"]
    assert [(v.value, v.source_type) for v in history] == [
        ("Head of Sales", "API"),
        ("Analyst", "FORM"),
    ]


def test_writing_the_same_value_changes_nothing(
    sandbox: HubSpotSandbox, clock: SimulatedClock, client: Any
) -> None:
    contact = sandbox.state.create("contacts", {"email": "c@x.example", "jobtitle": "CFO"})
    clock.advance(timedelta(minutes=1))

    client.crm.contacts.basic_api.update(
        contact.id, simple_public_object_input={"properties": {"jobtitle": "CFO"}}
    )

    assert sandbox.state.get("contacts", contact.id) == contact


def test_unknown_property_is_refused_with_property_doesnt_exist(sandbox: HubSpotSandbox, client: Any) -> None:
    contact = sandbox.state.create("contacts", {"email": "d@x.example"})

    with pytest.raises(ApiException) as raised:
        client.crm.contacts.basic_api.update(
            contact.id, simple_public_object_input={"properties": {"handoff_score": "80"}}
        )

    assert raised.value.status == 400
    assert "PROPERTY_DOESNT_EXIST" in raised.value.body
    assert '"category":"VALIDATION_ERROR"' in raised.value.body


def test_invalid_values_are_refused_by_type(sandbox: HubSpotSandbox) -> None:
    contact = sandbox.state.create("contacts", {"email": "e@x.example"})

    bad = api(
        sandbox,
        "PATCH",
        f"/crm/v3/objects/contacts/{contact.id}",
        json={"properties": {"hs_lead_status": "in_progress", "hs_analytics_num_page_views": "x"}},
    )

    assert bad.status_code == 400
    codes = {error["code"] for error in bad.json()["errors"]}
    assert codes == {"INVALID_OPTION", "INVALID_INTEGER"}


def test_duplicate_email_is_a_conflict(sandbox: HubSpotSandbox) -> None:
    existing = sandbox.state.create("contacts", {"email": "dup@x.example"})

    answer = api(sandbox, "POST", "/crm/v3/objects/contacts", json={"properties": {"email": "DUP@x.example"}})

    assert answer.status_code == 409
    assert answer.json()["message"] == f"Contact already exists. Existing ID: {existing.id}"


def test_list_pages_by_cursor_and_get_all_sees_everything(sandbox: HubSpotSandbox, client: Any) -> None:
    ids = sandbox.state.bulk_create("contacts", [{"email": f"p{i}@x.example"} for i in range(250)])

    first = client.crm.contacts.basic_api.get_page(limit=100)
    everything = client.crm.contacts.get_all()

    assert len(first.results) == 100
    assert first.paging.next.after == ids[100]
    assert [c.id for c in everything] == ids


def test_list_limit_over_100_is_refused(sandbox: HubSpotSandbox) -> None:
    assert api(sandbox, "GET", "/crm/v3/objects/contacts", params={"limit": 101}).status_code == 400


def test_get_by_email_id_property(sandbox: HubSpotSandbox, client: Any) -> None:
    contact = sandbox.state.create("contacts", {"email": "who@x.example"})

    fetched = client.crm.contacts.basic_api.get_by_id("WHO@x.example", id_property="email")

    assert fetched.id == contact.id


def test_archived_contacts_leave_lists_and_reads(sandbox: HubSpotSandbox, client: Any) -> None:
    contact = sandbox.state.create("contacts", {"email": "gone@x.example"})
    client.crm.contacts.basic_api.archive(contact.id)

    assert client.crm.contacts.basic_api.get_page().results == []
    archived = client.crm.contacts.basic_api.get_page(archived=True).results
    assert [c.id for c in archived] == [contact.id]
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.basic_api.get_by_id(contact.id)
    assert raised.value.status == 404


def test_bad_token_and_unknown_routes_answer_like_hubspot(sandbox: HubSpotSandbox) -> None:
    unauthorized = api(sandbox, "GET", "/crm/v3/objects/contacts", token="wrong")
    missing = api(sandbox, "GET", "/crm/v3/objects/contacts", token=None)
    unknown = api(sandbox, "GET", "/crm/v3/nothing-here")
    bad_type = api(sandbox, "GET", "/crm/v3/objects/widgets")

    assert unauthorized.status_code == missing.status_code == 401
    assert unauthorized.json()["category"] == "INVALID_AUTHENTICATION"
    assert unknown.status_code == 404
    assert unknown.json()["status"] == "error"
    assert "correlationId" in unknown.json()
    assert bad_type.status_code == 400
    assert bad_type.json()["message"] == "Unable to infer object type from: widgets"


def test_trailing_slashes_are_accepted(sandbox: HubSpotSandbox) -> None:
    assert api(sandbox, "GET", "/crm/v3/owners/").status_code == 200
    assert api(sandbox, "GET", "/crm/v3/objects/contacts/").status_code == 200


def test_requests_are_logged_with_batch_sizes(sandbox: HubSpotSandbox, client: Any) -> None:
    client.crm.contacts.batch_api.create(
        batch_input_simple_public_object_batch_input_for_create={
            "inputs": [{"properties": {"email": f"log{i}@x.example"}} for i in range(3)]
        }
    )

    [entry] = sandbox.request_log
    assert sandbox.request_log.matching("POST", "/crm/v3/objects/contacts/batch") == [entry]
    assert sandbox.request_log.matching("GET") == []
    assert (entry.method, entry.path, entry.status, entry.batch_size) == (
        "POST",
        "/crm/v3/objects/contacts/batch/create",
        201,
        3,
    )


def test_concurrent_writers_lose_nothing(sandbox: HubSpotSandbox) -> None:
    """The threaded server and the state's lock keep parallel writes whole."""
    contact = sandbox.state.create("contacts", {"email": "busy@x.example"}).id

    def write(worker: int) -> list[int]:
        with requests.Session() as session:
            session.trust_env = False
            return [
                session.patch(
                    f"{sandbox.base_url}/crm/v3/objects/contacts/{contact}",
                    json={"properties": {"message": f"{worker}-{index}"}},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                    timeout=10,
                ).status_code
                for index in range(10)
            ]

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = [status for batch in pool.map(write, range(6)) for status in batch]

    assert statuses == [200] * 60
    assert len(sandbox.state.history("contacts", contact, "message")) == 60
