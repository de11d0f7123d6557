"""Go-live on a portal with months of history: no flood of breaches, no owner taken away.

200 leads became MQL 30 to 120 days ago and sit with their reps, never accepted. Before
handoff watched, none of that was anyone's SLA: the first sync counts their clocks and escalation
timers from go-live, so it tells no rep that something was due in the past and moves no lead.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from handoff.lifecycle.decision import Decision
from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.store.schema import OUTBOX
from handoff.sync.backfill import dry_run
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime

LEADS = 200


def _history(sandbox: HubSpotSandbox, clock: SimulatedClock) -> dict[str, str]:
    """The 200 old MQLs, each owned by a rep since its MQL date; their owners by contact id."""
    seeded = sandbox.seed_company(contacts=60)
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


def test_the_dry_run_before_go_live_lists_exactly_what_the_first_sync_does(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    """On the seeded company (new MQLs to route, reps' history), plus the old MQLs above."""
    _history(sandbox, clock)
    seen: list[Decision] = []
    report = dry_run(runtime, None, clock(), progress=lambda stage, count: None, on_decision=seen.append)
    foretold_tasks = {(n.contact_id, n.key) for d in seen for n in d.notices}
    foretold_owners = {d.contact_id: d.owner_id for d in seen if d.owner_changed}

    run_cycle(runtime)

    with runtime.store.begin() as tx:
        queued = tx.connection.execute(select(OUTBOX.c.contact_id, OUTBOX.c.dedupe_key, OUTBOX.c.kind)).all()
        decided = tx.views.latest_decisions()
        moves = tx.views.moves(clock() - timedelta(days=1))
    tasks = {(contact_id, key) for contact_id, key, kind in queued if kind == "task"}
    assert tasks, "the seeded company routes new MQLs: the comparison would prove nothing"
    assert foretold_tasks == tasks
    assert report.tasks == len(tasks)
    owners = {cid: d.owner_id for cid, d in decided.items() if d.owner_id and cid in foretold_owners}
    assert foretold_owners == owners
    assert report.owner_changes == len(foretold_owners)
    assert sum(report.moves.values()) == len([m for _, m in moves if m.actor == "handoff"])
    assert all(
        item["move"].split(" → ")[0] != item["move"].split(" → ")[-1] or item["owner"]
        for item in report.sample
    )
