"""HubSpot's write rules: forward-only lifecycle for integrations, owner ids not user ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hubspot.crm.contacts import BatchResponseSimplePublicObjectWithErrors
from hubspot.crm.contacts.exceptions import ApiException
from hubspot.crm.owners.exceptions import NotFoundException

from handoff.sandbox.hubspot import ChangeSource, HubSpotSandbox, Owner, SimulatedClock, Team

from .conftest import value


def _patch(client: Any, contact_id: str, **properties: str) -> Any:
    return client.crm.contacts.basic_api.update(
        contact_id, simple_public_object_input={"properties": properties}
    )


@pytest.fixture
def customer(sandbox: HubSpotSandbox) -> str:
    return sandbox.state.create("contacts", {"email": "c@x.example", "lifecyclestage": "customer"}).id


def test_backward_lifecycle_write_is_silently_ignored(
    sandbox: HubSpotSandbox, client: Any, customer: str
) -> None:
    answer = _patch(client, customer, lifecyclestage="lead")

    assert answer.properties["lifecyclestage"] == "customer"
    assert value(sandbox, "contacts", customer, "lifecyclestage") == "customer"


def test_forward_lifecycle_write_applies(sandbox: HubSpotSandbox, client: Any) -> None:
    contact = sandbox.state.create("contacts", {"email": "l@x.example", "lifecyclestage": "lead"})

    _patch(client, contact.id, lifecyclestage="salesqualifiedlead")

    assert value(sandbox, "contacts", contact.id, "lifecyclestage") == "salesqualifiedlead"
    assert value(sandbox, "contacts", contact.id, "hs_lifecyclestage_salesqualifiedlead_date")


def test_clear_then_set_moves_back_in_two_requests(
    sandbox: HubSpotSandbox, clock: SimulatedClock, client: Any, customer: str
) -> None:
    _patch(client, customer, lifecyclestage="")
    cleared = value(sandbox, "contacts", customer, "lifecyclestage")
    clock.advance(timedelta(seconds=1))
    _patch(client, customer, lifecyclestage="lead")

    history = sandbox.state.history("contacts", customer, "lifecyclestage")
    assert cleared is None
    assert value(sandbox, "contacts", customer, "lifecyclestage") == "lead"
    assert [v.value for v in history] == ["lead", "", "customer"]


def test_a_rep_in_the_ui_can_move_the_stage_back(sandbox: HubSpotSandbox, customer: str) -> None:
    sandbox.state.update("contacts", customer, {"lifecyclestage": "lead"}, source=ChangeSource.ui(1234567))
    assert value(sandbox, "contacts", customer, "lifecyclestage") == "lead"


def test_backward_write_in_a_batch_is_ignored_too(
    sandbox: HubSpotSandbox, client: Any, customer: str
) -> None:
    answer = client.crm.contacts.batch_api.update(
        batch_input_simple_public_object_batch_input={
            "inputs": [{"id": customer, "properties": {"lifecyclestage": "subscriber"}}]
        }
    )
    assert answer.results[0].properties["lifecyclestage"] == "customer"


@pytest.fixture
def rep(sandbox: HubSpotSandbox) -> Owner:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    return sandbox.state.add_owner(
        Owner(
            id="51234567",
            user_id=7654321,
            email="ana.silva@acme.example",
            first_name="Ana",
            last_name="Silva",
            created_at=at,
            updated_at=at,
            teams=(Team("901", "North America"),),
            primary_team_id="901",
        )
    )


@pytest.fixture
def former_rep(sandbox: HubSpotSandbox) -> Owner:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    return sandbox.state.add_owner(
        Owner(
            id="59999999",
            user_id=None,
            user_id_including_inactive=7111111,
            email="tom.hartley@acme.example",
            first_name="Tom",
            last_name="Hartley",
            created_at=at,
            updated_at=at,
            archived=True,
        )
    )


def test_owner_id_is_accepted(sandbox: HubSpotSandbox, client: Any, rep: Owner) -> None:
    contact = sandbox.state.create("contacts", {"email": "o@x.example"})
    _patch(client, contact.id, hubspot_owner_id=rep.id)
    assert value(sandbox, "contacts", contact.id, "hubspot_owner_id") == rep.id


@pytest.mark.parametrize("wrong", ["user id", "unknown id", "archived owner"])
def test_user_ids_unknown_and_archived_owners_are_refused(
    sandbox: HubSpotSandbox, client: Any, rep: Owner, former_rep: Owner, wrong: str
) -> None:
    owner = {"user id": str(rep.user_id), "unknown id": "1", "archived owner": former_rep.id}[wrong]
    contact = sandbox.state.create("contacts", {"email": "o@x.example"})

    answer = client.crm.contacts.batch_api.update(
        batch_input_simple_public_object_batch_input={
            "inputs": [{"id": contact.id, "properties": {"hubspot_owner_id": owner}}]
        }
    )
    with pytest.raises(ApiException) as single:
        _patch(client, contact.id, hubspot_owner_id=owner)

    assert isinstance(answer, BatchResponseSimplePublicObjectWithErrors)
    assert answer.errors[0].category == "VALIDATION_ERROR"
    assert "INVALID_OWNER_ID" in answer.errors[0].message
    assert single.value.status == 400
    assert value(sandbox, "contacts", contact.id, "hubspot_owner_id") is None


def test_owners_api_keeps_id_and_user_id_apart(client: Any, rep: Owner, former_rep: Owner) -> None:
    page = client.crm.owners.owners_api.get_page()
    by_user = client.crm.owners.owners_api.get_by_id(str(rep.user_id), id_property="userId")
    archived = client.crm.owners.owners_api.get_page(archived=True)
    by_email = client.crm.owners.owners_api.get_page(email="ANA.SILVA@acme.example")

    assert [o.id for o in page.results] == [rep.id]
    assert page.results[0].user_id == rep.user_id != int(rep.id)
    assert page.results[0].teams[0].name == "North America"
    assert page.results[0].teams[0].primary is True
    assert by_user.id == rep.id
    assert [(o.id, o.user_id, o.archived) for o in archived.results] == [(former_rep.id, None, True)]
    assert [o.id for o in by_email.results] == [rep.id]
    with pytest.raises(NotFoundException):
        client.crm.owners.owners_api.get_by_id(str(rep.user_id))
