"""What a read costs: companies are read once, not once per page of their contacts (and a company
that changes has its contacts re-read and re-decided on the next cycle, though they themselves did
not change); property history only for contacts that have a past to replay."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta

from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.sandbox.hubspot.clock import iso
from handoff.sandbox.hubspot.records import ChangeSource
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime

COMPANIES = 150
CONTACTS = 1_200  # two pages of 1,000 contacts (five searches each) read every company


def _portal(sandbox: HubSpotSandbox) -> dict[str, str]:
    """Contacts spread over the companies (each page sees most of them); contact → company."""
    state = sandbox.state
    firms = [
        str(
            state.create(
                "companies",
                {
                    "name": f"Firm {n}",
                    "domain": f"firm{n}.example",
                    "numberofemployees": "20",
                    "country": "US",
                },
            ).id
        )
        for n in range(COMPANIES)
    ]
    employer = {}
    for n in range(CONTACTS):
        firm = firms[n % COMPANIES]
        contact = state.create(
            "contacts",
            {
                "email": f"p{n}@firm{n % COMPANIES}.example",
                "jobtitle": "VP Sales",
                "associatedcompanyid": firm,
            },
        )
        employer[str(contact.id)] = firm
    return employer


def _company_reads(sandbox: HubSpotSandbox) -> int:
    return sum(1 for r in sandbox.request_log if r.path.endswith("/companies/batch/read"))


def test_a_first_read_reads_each_company_once(sandbox: HubSpotSandbox, runtime: Runtime) -> None:
    employer = _portal(sandbox)
    sandbox.request_log.clear()

    run_cycle(runtime)

    assert _company_reads(sandbox) <= math.ceil(COMPANIES / 100) + 1
    with runtime.store.begin() as tx:
        decided = tx.views.latest_decisions(list(employer))
    sized = {r.rule for d in decided.values() for r in d.reasons if r.points}
    assert len(decided) == CONTACTS
    assert "Company size 50–500" not in sized, "20 employees: every contact carries its company"


def test_a_changed_company_has_its_contacts_decided_again(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    employer = _portal(sandbox)
    run_cycle(runtime)
    clock.advance(timedelta(minutes=10))
    run_cycle(runtime)  # reads back what the first wrote
    firm = employer[min(employer, key=int)]
    staff = sorted((c for c, f in employer.items() if f == firm), key=int)
    clock.advance(timedelta(minutes=10))
    sandbox.state.update("companies", firm, {"numberofemployees": "200"}, source=ChangeSource.ui(1))
    clock.advance(timedelta(minutes=5))

    report = run_cycle(runtime)

    with runtime.store.begin() as tx:
        decided = tx.views.latest_decisions(staff)
    assert report.evaluated == len(staff), "only the changed company's contacts are decided again"
    for contact_id in staff:
        assert "Company size 50–500" in {r.rule for r in decided[contact_id].reasons}, contact_id


def test_only_contacts_with_a_past_cost_a_history_read(sandbox: HubSpotSandbox, runtime: Runtime) -> None:
    state = sandbox.state
    for n in range(120):  # plain leads: nothing a rep did, no stage past lead
        state.create("contacts", {"email": f"plain{n}@firm.example", "lifecyclestage": "lead"})
    owned = state.create("contacts", {"email": "owned@firm.example", "hs_lead_status": "OPEN"})
    sandbox.request_log.clear()

    run_cycle(runtime)

    reads = [r.batch_size or 0 for r in sandbox.request_log if r.path.endswith("/contacts/batch/read")]
    # The owned contact's history (and its lifecycle stage, unknown before handoff writes it);
    # none of the 120 plain leads: before, their histories cost three reads of 50.
    assert reads
    assert max(reads) == 1, f"read for {owned.id} alone"


def test_an_echo_of_handoffs_own_write_costs_its_search_and_nothing_else(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    sandbox.seed_company(contacts=400)
    first = run_cycle(runtime)  # writes every contact back
    clock.advance(timedelta(minutes=5))
    sandbox.request_log.clear()

    echo = run_cycle(runtime)

    paths = Counter(r.path.removeprefix("/crm") for r in sandbox.request_log)
    assert first.sent >= 400
    assert paths["/v3/objects/contacts/search"] == math.ceil(400 / 200)
    read = [p for p in paths if p.endswith("/batch/read") and not p.startswith("/v4/associations")]
    assert read == [], "no company, engagement or contact reads for echoes"
    # Only contacts whose owner or stage handoff moved are read as changed: HubSpot dates those
    # moves itself (hubspot_owner_assigneddate, hs_lifecyclestage_*_date), which is news.
    assert echo.evaluated <= first.moved + 40
    assert (echo.queued, echo.sent) == (0, 0)


def test_a_call_logged_on_an_echoed_contact_is_read(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    seeded = sandbox.seed_company(contacts=60)
    run_cycle(runtime)
    clock.advance(timedelta(minutes=5))
    run_cycle(runtime)
    contact_id = sandbox.state.ids("contacts")[0]
    clock.advance(timedelta(minutes=5))
    call = sandbox.state.create_engagement(
        "calls",
        {"hs_timestamp": iso(clock()), "hubspot_owner_id": seeded.reps[0].owner_id},
        contact_id=contact_id,
        source=ChangeSource.ui(1),
    )
    clock.advance(timedelta(minutes=5))

    report = run_cycle(runtime)

    with runtime.store.begin() as tx:
        stored = {a.id for a in tx.mirror.activities([contact_id])[contact_id]}
    assert report.evaluated >= 1
    assert any(call.id in activity_id for activity_id in stored), "the call is in the mirror"


def test_engagements_are_read_only_for_contacts_whose_activity_dates_allow_one(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    state = sandbox.state
    quiet = [str(state.create("contacts", {"email": f"q{n}@firm.example"}).id) for n in range(1_200)]
    worked = str(state.create("contacts", {"email": "worked@firm.example"}).id)
    call = state.create_engagement(
        "calls", {"hs_timestamp": iso(clock())}, contact_id=worked, source=ChangeSource.ui(1)
    )
    sandbox.request_log.clear()

    run_cycle(runtime)

    associations = [r for r in sandbox.request_log if r.path.startswith("/crm/v4/associations/contacts/")]
    assert [r.batch_size for r in associations] == [1, 1, 1, 1], "calls, emails, meetings, notes of one"
    with runtime.store.begin() as tx:
        stored = tx.mirror.activities([worked, quiet[0]])
    assert any(call.id in a.id for a in stored[worked])
    assert stored[quiet[0]] == []
