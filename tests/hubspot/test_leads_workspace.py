"""HubSpot's Leads workspace: a Lead per handed-over MQL, owned by the routed rep through every
move, and the rep's work on it (attempting, connected, disqualified) read back as signals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handoff.config.loader import load_policy
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.hubspot.plugin import set_up
from handoff.connectors.hubspot.setup import setup
from handoff.connectors.protocol import FieldUpdate
from handoff.lifecycle.outputs import OutputField
from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.sandbox.hubspot.records import ChangeSource
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime
from tests.hubspot.conftest import connect


@pytest.fixture
def connector(sandbox: HubSpotSandbox, sleeps: list[float]) -> HubSpotConnector:
    """The conftest's connector with the Leads workspace on (its `runtime` uses this one)."""
    hubspot = connect(sandbox, sleeps, leads=True)
    setup(hubspot.client, load_policy())
    return hubspot


def leads_of(sandbox: HubSpotSandbox, contact_id: str) -> list[dict[str, str]]:
    found = []
    for lead_id in sandbox.state.associated_ids("contacts", contact_id, "leads"):
        record = sandbox.state.get("leads", lead_id)
        assert record is not None
        found.append({"id": record.id, **record.properties})
    return found


def routed_mqls(rt: Runtime) -> dict[str, str]:
    with rt.store.begin() as tx:
        decided = tx.views.latest_decisions()
    return {cid: d.owner_id for cid, d in decided.items() if d.stage == "mql" and d.owner_id}


def test_every_handed_over_mql_gets_one_lead_owned_by_its_rep(
    sandbox: HubSpotSandbox, runtime: Runtime
) -> None:
    sandbox.seed_company(contacts=120)

    run_cycle(runtime)
    run_cycle(runtime)  # a second cycle makes no second Lead

    mqls = routed_mqls(runtime)
    assert mqls, "the seeded company has MQLs"
    for contact_id, owner in mqls.items():
        [lead] = leads_of(sandbox, contact_id)
        assert lead["hubspot_owner_id"] == owner
        assert lead["hs_pipeline_stage"] == "new-stage-id"
        assert lead["hs_lead_name"]


def test_a_reassigned_lead_keeps_one_lead_with_the_new_owner(
    sandbox: HubSpotSandbox, connector: HubSpotConnector
) -> None:
    seeded = sandbox.seed_company(contacts=1)
    old, new = seeded.reps[0].owner_id, seeded.reps[1].owner_id
    contact = str(sandbox.state.create("contacts", {"email": "lead@northwind.example"}).id)
    handed = FieldUpdate(contact, {OutputField.STAGE: "mql", OutputField.OWNER: old}, stage_before="lead")
    escalated = FieldUpdate(contact, {OutputField.OWNER: new}, current={OutputField.STAGE: "mql"})

    results = connector.write_fields([handed]) + connector.write_fields([escalated])

    assert all(r.ok for r in results)
    [lead] = leads_of(sandbox, contact)
    assert lead["hubspot_owner_id"] == new


def test_the_reps_work_on_the_lead_comes_back_as_signals(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    sandbox.seed_company(contacts=120)
    run_cycle(runtime)
    routed = routed_mqls(runtime)
    first, second = sorted(routed, key=int)[:2]
    rep = ChangeSource.ui(1)
    clock.advance(timedelta(minutes=20))
    sandbox.state.update(
        "leads", leads_of(sandbox, first)[0]["id"], {"hs_pipeline_stage": "connected-stage-id"}, source=rep
    )
    sandbox.state.update(
        "leads",
        leads_of(sandbox, second)[0]["id"],
        {"hs_pipeline_stage": "unqualified-stage-id", "hs_lead_disqualification_reason": "NO_BUDGET"},
        source=rep,
    )
    clock.advance(timedelta(minutes=5))

    run_cycle(runtime)

    with runtime.store.begin() as tx:
        decided = tx.views.latest_decisions([first, second])
        touches = tx.mirror.activities([first], since=clock() - timedelta(days=1))[first]
    assert decided[first].stage == "sal", "connected on the Lead: accepted"
    assert decided[second].stage == "recycled", "disqualified on the Lead with its reason"
    assert "disqualification.reasons.no_budget" in {r.rule for r in decided[second].reasons}
    [touch] = [a for a in touches if a.attributes.get("via") == "lead"]
    assert (touch.kind, touch.owner_id) == ("call", routed[first]), "a touch by the Lead's owner"


def test_setup_says_whether_the_portal_has_the_leads_object(
    sandbox: HubSpotSandbox, connector: HubSpotConnector
) -> None:
    assert set_up(connector, load_policy()).missing == []
    sandbox.state.update_property("leads", "hs_pipeline_stage", options=())

    missing = set_up(connector, load_policy()).missing

    assert "the lead pipeline stage 'connected-stage-id'" in missing


def test_a_lead_handed_over_again_gets_a_new_lead_with_its_name(
    sandbox: HubSpotSandbox, connector: HubSpotConnector
) -> None:
    owner = sandbox.seed_company(contacts=1).reps[0].owner_id
    contact = str(
        sandbox.state.create(
            "contacts", {"email": "ada@northwind.example", "firstname": "Ada", "lastname": "Lee"}
        ).id
    )
    handed = FieldUpdate(contact, {OutputField.STAGE: "mql", OutputField.OWNER: owner}, stage_before="lead")
    connector.write_fields([handed])
    [first] = leads_of(sandbox, contact)
    sandbox.state.update("leads", first["id"], {"hs_pipeline_stage": "unqualified-stage-id"})

    [result] = connector.write_fields([handed])  # recycled, then an MQL again

    again = [lead for lead in leads_of(sandbox, contact) if lead["id"] != first["id"]]
    assert result.ok
    assert [lead["hs_lead_name"] for lead in again] == ["Ada Lee"]
