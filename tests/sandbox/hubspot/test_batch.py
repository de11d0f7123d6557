"""Batch endpoints: the 100-input limit, 207 partial failures as the SDK returns them."""

from __future__ import annotations

from typing import Any

import pytest
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchResponseSimplePublicObject,
    BatchResponseSimplePublicObjectWithErrors,
    SimplePublicObjectBatchInput,
)
from hubspot.crm.contacts.exceptions import ApiException

from handoff.sandbox.hubspot import HubSpotSandbox

from .conftest import api, value


def _update(client: Any, inputs: list[SimplePublicObjectBatchInput]) -> Any:
    return client.crm.contacts.batch_api.update(
        batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(inputs=inputs)
    )


def _contacts(sandbox: HubSpotSandbox, count: int) -> list[str]:
    return sandbox.state.bulk_create("contacts", [{"email": f"b{i}@x.example"} for i in range(count)])


def test_batch_update_of_100_applies_all(sandbox: HubSpotSandbox, client: Any) -> None:
    ids = _contacts(sandbox, 100)

    answer = _update(
        client,
        [SimplePublicObjectBatchInput(id=i, properties={"jobtitle": "CFO"}) for i in ids],
    )

    assert isinstance(answer, BatchResponseSimplePublicObject)
    assert answer.status == "COMPLETE"
    assert len(answer.results) == 100
    assert all(value(sandbox, "contacts", i, "jobtitle") == "CFO" for i in ids)


def test_batch_update_over_100_is_refused_whole(sandbox: HubSpotSandbox, client: Any) -> None:
    ids = _contacts(sandbox, 101)

    with pytest.raises(ApiException) as raised:
        _update(client, [SimplePublicObjectBatchInput(id=i, properties={"jobtitle": "x"}) for i in ids])

    assert raised.value.status == 400
    assert value(sandbox, "contacts", ids[0], "jobtitle") is None


def test_partial_failure_is_a_207_the_sdk_returns(sandbox: HubSpotSandbox, client: Any) -> None:
    good, bad_option, unknown_property = _contacts(sandbox, 3)

    def change(record_id: str, trace: str, **properties: str) -> SimplePublicObjectBatchInput:
        return SimplePublicObjectBatchInput(id=record_id, properties=properties, object_write_trace_id=trace)

    answer = _update(
        client,
        [
            change(good, "t-1", hs_lead_status="OPEN"),
            change(bad_option, "t-2", hs_lead_status="open"),
            change("999999", "t-3", hs_lead_status="OPEN"),
            change(unknown_property, "t-4", handoff_stage="mql"),
        ],
    )

    assert isinstance(answer, BatchResponseSimplePublicObjectWithErrors)
    assert answer.num_errors == 3
    assert [r.id for r in answer.results] == [good]
    by_trace = {e.context["objectWriteTraceId"][0]: e for e in answer.errors}
    assert {trace: e.category for trace, e in by_trace.items()} == {
        "t-2": "VALIDATION_ERROR",
        "t-3": "OBJECT_NOT_FOUND",
        "t-4": "VALIDATION_ERROR",
    }
    assert by_trace["t-2"].context["id"] == [bad_option]
    assert "INVALID_OPTION" in by_trace["t-2"].message
    assert "PROPERTY_DOESNT_EXIST" in by_trace["t-4"].message
    assert value(sandbox, "contacts", good, "hs_lead_status") == "OPEN"
    assert value(sandbox, "contacts", bad_option, "hs_lead_status") is None


def test_two_inputs_for_one_record_refuse_the_batch(sandbox: HubSpotSandbox) -> None:
    [contact] = _contacts(sandbox, 1)
    inputs = [
        {"id": contact, "properties": {"jobtitle": "A"}},
        {"id": contact, "properties": {"jobtitle": "B"}},
    ]

    answer = api(sandbox, "POST", "/crm/v3/objects/contacts/batch/update", json={"inputs": inputs})

    assert answer.status_code == 400
    assert "Duplicate IDs" in answer.json()["message"]
    assert value(sandbox, "contacts", contact, "jobtitle") is None


def test_batch_read_by_email_reports_missing_ids_as_207(sandbox: HubSpotSandbox, client: Any) -> None:
    _contacts(sandbox, 2)

    answer = client.crm.contacts.batch_api.read(
        batch_read_input_simple_public_object_id={
            "idProperty": "email",
            "properties": ["email"],
            "propertiesWithHistory": [],
            "inputs": [{"id": "b1@x.example"}, {"id": "nobody@x.example"}],
        }
    )

    assert [r.properties["email"] for r in answer.results] == ["b1@x.example"]
    assert answer.num_errors == 1
    assert answer.errors[0].category == "OBJECT_NOT_FOUND"
    assert answer.errors[0].context == {"ids": ["nobody@x.example"]}


def test_batch_create_fails_whole_without_trace_ids(sandbox: HubSpotSandbox) -> None:
    inputs = [{"properties": {"email": "ok@x.example"}}, {"properties": {"bogus": "1"}}]

    answer = api(sandbox, "POST", "/crm/v3/objects/contacts/batch/create", json={"inputs": inputs})

    assert answer.status_code == 400
    assert sandbox.state.count("contacts") == 0


def test_batch_create_with_trace_ids_fails_per_input(sandbox: HubSpotSandbox) -> None:
    inputs = [
        {"properties": {"email": "ok@x.example"}, "objectWriteTraceId": "a"},
        {"properties": {"bogus": "1"}, "objectWriteTraceId": "b"},
    ]

    answer = api(sandbox, "POST", "/crm/v3/objects/contacts/batch/create", json={"inputs": inputs})

    assert answer.status_code == 207
    body = answer.json()
    assert body["numErrors"] == 1
    assert body["errors"][0]["context"]["objectWriteTraceId"] == ["b"]
    assert [r["properties"]["email"] for r in body["results"]] == ["ok@x.example"]
