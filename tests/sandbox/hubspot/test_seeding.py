"""The seeded company: deterministic for a seed, and shaped like a real B2B portal."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from handoff.sandbox.company.vocabulary import ALL_FORMS, ASSETS
from handoff.sandbox.hubspot import HubSpotSandbox, SandboxState, SimulatedClock
from handoff.sandbox.hubspot.analytics import EMAIL_OPEN, PAGE_VIEW
from handoff.sandbox.hubspot.catalog import LIFECYCLE_STAGES
from handoff.sandbox.hubspot.seeding import SeededCompany, seed_company

from .conftest import START, sdk

STAGES = [value for value, _ in LIFECYCLE_STAGES]


def _portal(seed: int, contacts: int = 120) -> tuple[SandboxState, SeededCompany]:
    state = SandboxState(SimulatedClock(START))
    return state, seed_company(state, seed, contacts=contacts)


def _fingerprint(state: SandboxState) -> str:
    """Everything observable about a portal, as one comparable string."""
    records: dict[str, Any] = {}
    for kind in ("contacts", "companies", "calls", "emails", "meetings", "notes"):
        records[kind] = [
            [snap.properties, {k: [v.value for v in h] for k, h in snap.history.items()}]
            for snap in (state.get(kind, i, with_history=True) for i in state.ids(kind))
            if snap is not None
        ]
    records["owners"] = [o.to_json() for o in state.owners(archived=None)]
    records["forms"] = [f.to_json() for f in state.forms()]
    records["events"] = [[e.to_json() for e in state.web_events(int(i))] for i in state.ids("contacts")]
    records["submissions"] = [[s.to_json() for s in state.submissions(f.id)] for f in state.forms()]
    return json.dumps(records, sort_keys=True)


def test_same_seed_same_portal() -> None:
    first, _ = _portal(11)
    again, _ = _portal(11)
    other, _ = _portal(12)

    assert _fingerprint(first) == _fingerprint(again)
    assert _fingerprint(first) != _fingerprint(other)


@pytest.fixture(scope="module")
def world() -> tuple[SandboxState, SeededCompany]:
    return _portal(5, contacts=400)


def test_sales_team(world: tuple[SandboxState, SeededCompany]) -> None:
    state, seeded = world
    owners = state.owners(archived=None)
    people = [o for o in owners if o.type == "PERSON" and not o.archived]
    queue = [o for o in owners if o.type == "QUEUE"]
    former = [o for o in owners if o.archived]

    assert len(people) == 12
    assert Counter(o.primary_team.name for o in people if o.primary_team) == {
        "North America": 5,
        "EMEA": 4,
        "Enterprise": 3,
    }
    assert state.owner(seeded.rep("ana.silva@acme.example").owner_id) is not None
    assert all(o.id != str(o.user_id) for o in people)
    assert [q.first_name for q in queue] == ["Unassigned leads queue"]
    assert len(former) == 1
    assert former[0].to_json()["userId"] is None
    assert {rep.timezone for rep in seeded.team_reps("EMEA")} == {"Europe/London", "Europe/Berlin"}


def test_accounts(world: tuple[SandboxState, SeededCompany]) -> None:
    state, seeded = world
    companies = [state.get("companies", i) for i in seeded.company_ids]
    sizes = [int(c.properties["numberofemployees"]) for c in companies if c]
    domains = Counter(c.properties["domain"] for c in companies if c)
    owned = {c.properties["domain"] for c in companies if c and c.get("hubspot_owner_id")}

    assert 140 <= len(companies) <= 160
    assert min(sizes) >= 5
    assert max(sizes) <= 20_000
    assert any(d.startswith("rivalytics") for d in domains)
    assert any(count > 1 and domain in owned for domain, count in domains.items())
    assert len({c.properties["country"] for c in companies if c}) >= 10


def test_contacts_span_fit_levels_and_history(world: tuple[SandboxState, SeededCompany]) -> None:
    state, seeded = world
    contacts = [state.get("contacts", i) for i in seeded.contact_ids]
    domains = Counter(c.properties["hs_email_domain"] for c in contacts if c)
    titles = Counter(c.get("jobtitle") for c in contacts if c)
    stages = Counter(c.get("lifecyclestage") for c in contacts if c)
    with_views = [c for c in contacts if c and c.get("hs_analytics_num_page_views")]
    sample = with_views[0]
    events = state.web_events(int(sample.id), event_type=PAGE_VIEW)

    assert len(contacts) == 400
    assert sum(domains[d] for d in seeded.personal_domains) > 40
    assert sum(domains[d] for d in seeded.competitor_domains) > 0
    assert titles["VP Revenue Operations"] + titles["CFO"] + titles["CTO"] > 0
    assert titles["Student"] + titles["Intern"] > 0
    assert stages["opportunity"] > 0
    assert stages["customer"] > 0
    assert sample.get("hs_analytics_num_page_views") == str(len(events))
    assert any("/pricing" in (e.url or "") for c in with_views for e in state.web_events(int(c.id)))
    assert any(state.web_events(int(c.id), event_type=EMAIL_OPEN) for c in with_views)
    assert state.count("calls") + state.count("emails") > 10
    assert state.count("meetings") > 0
    assert all(c.updated_at <= seeded.now for c in contacts if c)


def test_forms_and_submissions(world: tuple[SandboxState, SeededCompany]) -> None:
    state, seeded = world
    names = {form.name for form in state.forms()}

    assert names == set(ALL_FORMS)
    assert "Download: Case study: Northwind cuts lead response to 4 minutes" in names
    assert f"Download: {ASSETS[0]}" in names
    assert any(n.startswith("Webinar registration: ") for n in names)
    assert state.submissions(seeded.forms["Request a demo"])
    assert seeded.forms.keys() == names


def test_seeding_needs_an_empty_portal(world: tuple[SandboxState, SeededCompany]) -> None:
    state, _ = world
    with pytest.raises(ValueError, match="empty portal"):
        seed_company(state, 1)


def test_seeded_portal_over_the_api(clock: SimulatedClock) -> None:
    with HubSpotSandbox(clock=clock) as sandbox:
        seeded = seed_company(sandbox.state, 3, contacts=50)
        client = sdk(sandbox)
        owners = client.crm.owners.get_all()
        contact = client.crm.contacts.basic_api.get_by_id(
            seeded.contact_ids[0], properties=["lifecyclestage", "hs_analytics_source"]
        )

    assert len(owners) == 13
    assert contact.properties["lifecyclestage"] in set(STAGES)
