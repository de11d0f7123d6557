"""Call outcomes as reps pick them: HubSpot stores an id on the call, a policy names the label."""

from __future__ import annotations

from pathlib import Path

from handoff.config.loader import DEFAULT_POLICY_PATH, parse_policy
from handoff.config.settings import Settings
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.sandbox.hubspot.catalog import CALL_DISPOSITIONS
from handoff.sandbox.hubspot.clock import iso
from handoff.sandbox.hubspot.records import ChangeSource
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import build_runtime

CONNECTED = next(value for value, label in CALL_DISPOSITIONS if label == "Connected")
VOICEMAIL = next(value for value, label in CALL_DISPOSITIONS if label == "Left voicemail")
RULE = """
[[behavior.rule]]
label = "Spoke with us"
activity = "call"
outcome = ["Connected", "Left live message"]
points = 7
"""


def test_a_policy_matches_a_call_outcome_by_its_label(
    tmp_path: Path, sandbox: HubSpotSandbox, connector: HubSpotConnector, clock: SimulatedClock
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(DEFAULT_POLICY_PATH.read_text() + RULE)
    parse_policy(policy.read_text())  # the rule is valid
    seeded = sandbox.seed_company(contacts=1)
    rep = seeded.reps[0].owner_id
    leads = {}
    for outcome in (CONNECTED, VOICEMAIL):
        contact = sandbox.state.create("contacts", {"email": f"{outcome[:8]}@northwind.example"})
        sandbox.state.create_engagement(
            "calls",
            {"hs_timestamp": iso(clock()), "hubspot_owner_id": rep, "hs_call_disposition": outcome},
            contact_id=contact.id,
            source=ChangeSource.api(1),
        )
        leads[outcome] = str(contact.id)
    settings = Settings(crm="hubspot", database_url=f"sqlite:///{tmp_path}/handoff.db", policy=policy)
    rt = build_runtime(settings, clock=clock, connector=connector)

    run_cycle(rt)

    with rt.store.begin() as tx:
        decided = tx.views.latest_decisions(list(leads.values()))
    rules = {outcome: {r.rule for r in decided[cid].reasons} for outcome, cid in leads.items()}
    assert "Spoke with us" in rules[CONNECTED]
    assert "Spoke with us" not in rules[VOICEMAIL]
    rt.close()
