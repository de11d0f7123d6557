"""Custom lifecycle stages, read from the portal: a mapped one means a handoff stage and keeps its
name in the CRM; one nobody mapped is named in `explain` and never written over."""

from __future__ import annotations

from datetime import timedelta

from handoff.config.vocabulary import Stage
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.protocol import FieldUpdate
from handoff.lifecycle.outputs import OutputField
from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.sandbox.hubspot.clock import iso
from tests.hubspot.conftest import connect as connect_to


def connect(sandbox: HubSpotSandbox, lifecycle_stages: dict[str, Stage]) -> HubSpotConnector:
    return connect_to(sandbox, [], lifecycle_stages=lifecycle_stages)


def lifecycle(sandbox: HubSpotSandbox, contact_id: str) -> str:
    record = sandbox.state.get("contacts", contact_id)
    assert record is not None
    return record.properties["lifecyclestage"]


def test_a_mapped_custom_stage_is_read_as_its_handoff_stage_and_kept_in_the_crm(
    sandbox: HubSpotSandbox, connector: HubSpotConnector, clock: SimulatedClock
) -> None:
    pql = sandbox.state.add_lifecycle_stage("Product Qualified Lead", after="lead")
    entered = clock()
    contact = str(
        sandbox.state.create("contacts", {"email": "pql@northwind.example", "lifecyclestage": pql}).id
    )
    other = str(
        sandbox.state.create("contacts", {"email": "pql2@northwind.example", "lifecyclestage": pql}).id
    )
    clock.advance(timedelta(days=3))
    hubspot = connect(sandbox, {"Product Qualified Lead": Stage.MQL})

    read = {r.contact.id: r.contact for r in hubspot.pull_contacts_by_id([contact]).contacts}[contact]
    results = hubspot.write_fields(
        [
            FieldUpdate(contact, {OutputField.STAGE: "mql"}, stage_before="mql"),
            FieldUpdate(other, {OutputField.STAGE: "sal"}, stage_before="mql"),
        ]
    )

    assert read.stage is Stage.MQL
    assert read.stage_entered_at is not None
    assert iso(read.stage_entered_at) == iso(entered)
    assert read.problems == ()
    assert all(r.ok for r in results)
    assert lifecycle(sandbox, contact) == pql, "an MQL in the admin's MQL-like stage stays there"
    assert lifecycle(sandbox, other) == "salesqualifiedlead", "accepted: moved on, forward"


def test_an_unmapped_custom_stage_is_named_and_never_written_over(
    sandbox: HubSpotSandbox, connector: HubSpotConnector
) -> None:
    partner = sandbox.state.add_lifecycle_stage("Partner referral", after="customer")
    contact = str(
        sandbox.state.create("contacts", {"email": "p@northwind.example", "lifecyclestage": partner}).id
    )
    hubspot = connect(sandbox, {})

    read = hubspot.pull_contacts_by_id([contact]).contacts[0].contact
    [result] = hubspot.write_fields(
        [FieldUpdate(contact, {OutputField.STAGE: "mql", OutputField.SCORE: "40"})]
    )

    assert read.stage is None
    assert any("'Partner referral' is a custom stage" in p for p in read.problems)
    assert result.ok
    assert lifecycle(sandbox, contact) == partner
    record = sandbox.state.get("contacts", contact)
    assert record is not None
    assert record.properties["handoff_score"] == "40"


def test_a_map_naming_a_stage_the_portal_lacks_is_one_clear_error(sandbox: HubSpotSandbox) -> None:
    hubspot = connect(sandbox, {"Product Qualifed Lead": Stage.MQL})
    contact = str(sandbox.state.create("contacts", {"email": "x@northwind.example"}).id)
    try:
        hubspot.pull_contacts_by_id([contact])
    except Exception as error:
        message = str(error)
    else:
        raise AssertionError("a misspelt stage was taken")
    assert message.startswith("HANDOFF_HUBSPOT_LIFECYCLE_STAGES: 'Product Qualifed Lead' is not")
    assert "'Marketing Qualified Lead' (marketingqualifiedlead)" in message
