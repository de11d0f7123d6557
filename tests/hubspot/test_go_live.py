"""Go-live on a portal with months of history: no flood of breaches, no owner taken away.

200 leads became MQL 30 to 120 days ago and sit with their reps, never accepted. Before
handoff watched, none of that was anyone's SLA: the first sync counts their clocks and escalation
timers from go-live, so it tells no rep that something was due in the past and moves no lead.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.store.schema import OUTBOX
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime

LEADS = 200


def _history(sandbox: HubSpotSandbox, clock: SimulatedClock) -> dict[str, str]:
    """The 200 old MQLs, each owned by a rep since its MQL date; their owners by contact id."""
    seeded = sandbox.seed_company(contacts=1)
    reps = [rep.owner_id for rep in seeded.reps]
    rng = random.Random(7)
    owners = {}
    for n in range(LEADS):
        became_mql = clock() - timedelta(days=rng.uniform(30, 120))
        company = sandbox.state.create(
            "companies",
            {"name": f"Old {n}", "domain": f"old{n}.example", "numberofemployees": "300", "country": "US"},
            at=became_mql,
        )
        owner = reps[n % len(reps)]
        contact = sandbox.state.create(
            "contacts",
            {
                "email": f"buyer{n}@old{n}.example",
                "jobtitle": "VP Sales",
                "associatedcompanyid": str(company.id),
                "lifecyclestage": "marketingqualifiedlead",
                "hubspot_owner_id": owner,
            },
            at=became_mql,  # the portal dates the stage and the assignment then
        )
        owners[str(contact.id)] = owner
    return owners


def test_the_first_sync_on_an_old_portal_floods_nobody(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    owners = _history(sandbox, clock)
    go_live = clock()

    report = run_cycle(runtime)

    assert report.complete
    with runtime.store.begin() as tx:
        tasks = [row.payload for row in tx.connection.execute(select(OUTBOX)) if row.kind == "task"]
        decided = tx.views.latest_decisions(list(owners))
    overdue = [t["subject"] for t in tasks if "breach" in t["subject"].lower() or "overdue" in t["subject"]]
    assert overdue == [], overdue[:3]
    moved = {cid: d.owner_id for cid, d in decided.items() if d.owner_id != owners[cid]}
    assert moved == {}, f"{len(moved)} long-owned leads were reassigned"
    for decision in decided.values():
        for clock_view in decision.clocks:
            assert clock_view["due_at"] > go_live.isoformat(), "a clock fell due before go-live"


def test_after_go_live_the_clocks_run_as_the_policy_says(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    owners = _history(sandbox, clock)
    run_cycle(runtime)

    clock.advance(timedelta(days=2))
    run_cycle(runtime)

    with runtime.store.begin() as tx:
        decided = tx.views.latest_decisions(list(owners))
    escalated = [cid for cid, d in decided.items() if d.owner_id != owners[cid]]
    assert escalated, "an MQL left waiting two days after go-live is escalated as the policy says"
