"""The simulated reps act on what handoff writes, through the CRM fields handoff reads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handoff.sandbox.company.personas import NEVER, RESPONSIVE
from handoff.sandbox.company.profiles import SimulationProfile
from handoff.sandbox.company.qualification import REJECTION_REASONS
from handoff.sandbox.hubspot import (
    ChangeSource,
    OptionDef,
    PropertyDef,
    PropertyGroup,
    SandboxState,
    SimulatedClock,
)
from handoff.sandbox.hubspot.narration import SimEvent
from handoff.sandbox.hubspot.seeding import SeededCompany, seed_company
from handoff.sandbox.hubspot.simulation import Simulation

from .conftest import START

HANDOFF = ChangeSource.api(3_141_592)


def _options(*values: str) -> tuple[OptionDef, ...]:
    return tuple(OptionDef(v, v, i) for i, v in enumerate(values))


def _setup(state: SandboxState) -> None:
    """What ``handoff setup`` creates."""
    state.create_property_group("contacts", PropertyGroup("handoff", "handoff"))
    stages = _options("lead", "mql", "sal", "sql", "recycled", "disqualified")
    state.create_property(
        "contacts", PropertyDef("handoff_stage", "Stage", "enumeration", "select", "handoff", options=stages)
    )
    for name in ("handoff_need", "handoff_authority", "handoff_timeline"):
        state.create_property("contacts", PropertyDef(name, name, "string", "textarea", "handoff"))
    state.create_property(
        "contacts", PropertyDef("handoff_budget", "Budget", "bool", "booleancheckbox", "handoff")
    )
    state.create_property(
        "contacts",
        PropertyDef(
            "handoff_disqualification_reason",
            "Reason",
            "enumeration",
            "select",
            "handoff",
            options=_options(*REJECTION_REASONS),
        ),
    )


def _portal() -> tuple[SandboxState, SimulatedClock, SeededCompany]:
    clock = SimulatedClock(START)
    state = SandboxState(clock)
    return state, clock, seed_company(state, 21, contacts=150)


def _fit_leads(state: SandboxState, seeded: SeededCompany, count: int) -> list[str]:
    """Unowned business contacts with a real title: leads no rep would reject on sight."""
    found = []
    for contact_id in seeded.contact_ids:
        contact = state.get("contacts", contact_id)
        assert contact is not None
        domain = contact.properties.get("hs_email_domain", "")
        if contact.get("hubspot_owner_id") or domain.endswith((".com", ".me", ".de", ".org")):
            continue
        if domain.startswith(("rivalytics", "metricly", "dashboardy")):
            continue
        found.append(contact_id)
    return found[:count]


def _route(state: SandboxState, contact_id: str, owner_id: str) -> None:
    state.update(
        "contacts", contact_id, {"handoff_stage": "mql", "hubspot_owner_id": owner_id}, source=HANDOFF
    )


def _run(sim: Simulation, clock: SimulatedClock, hours: int) -> list[SimEvent]:
    for _ in range(hours):
        clock.advance(timedelta(hours=1))
        sim.advance(clock())
    return sim.events


CALM = SimulationProfile(
    "calm", arrivals_per_hour=0, activity_per_hour=0, never_responds=0, slow=0,
    rejection_rate=0.0, three_of_four=0.0,
)  # fmt: skip


def test_responsive_rep_accepts_touches_and_documents_bant() -> None:
    state, clock, seeded = _portal()
    _setup(state)
    rep = seeded.rep("ana.silva@acme.example")
    [lead] = _fit_leads(state, seeded, 1)
    _route(state, lead, rep.owner_id)
    reminder = state.create_engagement(
        "tasks",
        {
            "hs_timestamp": (START + timedelta(hours=4)).isoformat(),
            "hs_task_subject": "Call your new MQL",
            "hs_task_status": "NOT_STARTED",
            "hubspot_owner_id": rep.owner_id,
        },
        contact_id=lead,
        source=HANDOFF,
    )
    sim = Simulation(state, 4, profile=CALM)

    _run(sim, clock, 48)

    contact = state.get("contacts", lead, with_history=True)
    assert contact is not None
    assert contact.get("hs_lead_status") == "IN_PROGRESS"
    accepted = contact.history["hs_lead_status"][0]
    assert (accepted.source.type, accepted.source.id) == ("CRM_UI", f"userId:{rep.user_id}")
    assert all(contact.get(n) for n in ("handoff_need", "handoff_authority", "handoff_timeline"))
    assert contact.get("handoff_budget") == "true"
    task = state.get("tasks", reminder.id)
    assert task is not None
    assert task.get("hs_task_status") == "COMPLETED"
    touches = [
        state.get(kind, i)
        for kind in ("calls", "emails")
        for i in state.associated_ids("contacts", lead, kind)
    ]
    rep_touches = [t for t in touches if t and t.get("hubspot_owner_id") == rep.owner_id]
    first = min(t.created_at for t in rep_touches)
    assert rep_touches
    assert accepted.timestamp <= first
    assert all(
        t.get("hs_email_direction") in (None, "EMAIL") for t in rep_touches if t.object_type == "emails"
    )


def test_never_responding_rep_leaves_the_lead_untouched() -> None:
    state, clock, seeded = _portal()
    _setup(state)
    rep = seeded.rep("marcus.johnson@acme.example")
    [lead] = _fit_leads(state, seeded, 1)
    _route(state, lead, rep.owner_id)
    before = state.get("contacts", lead)
    sim = Simulation(state, 4, profile=CALM, personas={rep.email: NEVER})

    events = _run(sim, clock, 72)

    assert state.get("contacts", lead) == before
    assert [e.kind for e in events] == ["ignored"]


def test_obvious_junk_is_rejected_with_a_reason() -> None:
    state, clock, seeded = _portal()
    _setup(state)
    rep = seeded.rep("sophie.martin@acme.example")
    student = state.create("contacts", {"email": "kid@gmail.com", "jobtitle": "Student"}).id
    competitor = state.create("contacts", {"email": "spy@rivalytics.example"}).id
    for contact in (student, competitor):
        _route(state, contact, rep.owner_id)
    sim = Simulation(state, 4, profile=CALM, personas={rep.email: RESPONSIVE})

    _run(sim, clock, 24)

    for contact, reason in ((student, "student"), (competitor, "competitor")):
        snapshot = state.get("contacts", contact)
        assert snapshot is not None
        assert snapshot.get("hs_lead_status") == "UNQUALIFIED"
        assert snapshot.get("handoff_disqualification_reason") == reason


def test_some_rejections_come_without_a_reason() -> None:
    state, clock, seeded = _portal()
    _setup(state)
    rep = seeded.rep("lukas.becker@acme.example")
    leads = _fit_leads(state, seeded, 3)
    for lead in leads:
        _route(state, lead, rep.owner_id)
    grumpy = SimulationProfile(
        "grumpy", arrivals_per_hour=0, activity_per_hour=0, never_responds=0, slow=0,
        rejection_rate=1.0, reject_without_reason=1.0,
    )  # fmt: skip
    sim = Simulation(state, 4, profile=grumpy)

    _run(sim, clock, 72)

    for lead in leads:
        snapshot = state.get("contacts", lead)
        assert snapshot is not None
        assert snapshot.get("hs_lead_status") == "UNQUALIFIED"
        assert snapshot.get("handoff_disqualification_reason") is None


def test_sqls_sometimes_become_opportunities() -> None:
    state, clock, seeded = _portal()
    _setup(state)
    rep = seeded.rep("rachel.goldberg@acme.example")
    [lead] = _fit_leads(state, seeded, 1)
    state.update(
        "contacts",
        lead,
        {"handoff_stage": "sql", "hubspot_owner_id": rep.owner_id, "lifecyclestage": "salesqualifiedlead"},
        source=HANDOFF,
    )
    eager = SimulationProfile(
        "eager", arrivals_per_hour=0, activity_per_hour=0, never_responds=0, slow=0,
        opportunity_rate=1.0,
    )  # fmt: skip

    _run(Simulation(state, 4, profile=eager), clock, 72)

    snapshot = state.get("contacts", lead, with_history=True)
    assert snapshot is not None
    assert snapshot.get("lifecyclestage") == "opportunity"
    assert snapshot.history["lifecyclestage"][0].source.type == "CRM_UI"


def _demo_day() -> tuple[list[SimEvent], dict[str, str], SeededCompany]:
    state, clock, seeded = _portal()
    _setup(state)
    sim = Simulation(state, 9, profile="demo_day")
    for index, lead in enumerate(_fit_leads(state, seeded, 12)):
        _route(state, lead, seeded.reps[index].owner_id)
    return _run(sim, clock, 10), sim.personas, seeded


def test_demo_day_is_deterministic_and_busy() -> None:
    events, personas, seeded = _demo_day()
    again, _, _ = _demo_day()

    never = [owner for owner, persona in personas.items() if persona == NEVER]
    early_demos = [
        e
        for e in events
        if e.kind == "arrival"
        and e.detail in ("Request a demo", "Contact sales")
        and e.at < START + timedelta(hours=2)
    ]
    assert events == again
    assert {"arrival", "accepted", "first_touch", "ignored"} <= {e.kind for e in events}
    assert len(never) == 1
    assert [rep.team for rep in seeded.reps if rep.owner_id == never[0]] == ["North America"]
    assert len(early_demos) >= 4


def test_one_long_step_equals_many_short_ones() -> None:
    results = []
    for step_hours in (1, 12):
        state, clock, seeded = _portal()
        _setup(state)
        for index, lead in enumerate(_fit_leads(state, seeded, 6)):
            _route(state, lead, seeded.reps[index].owner_id)
        sim = Simulation(state, 2, profile="steady")
        for _ in range(24 // step_hours):
            clock.advance(timedelta(hours=step_hours))
            sim.advance(clock())
        results.append([(e.at, e.kind, e.contact_id) for e in sim.events])
    assert results[0] == results[1]


@pytest.mark.parametrize("profile", ["steady", "demo_day"])
def test_without_handoff_properties_reps_have_nothing_to_do(profile: str) -> None:
    state, clock, _ = _portal()
    sim = Simulation(state, 3, profile=profile)

    events = _run(sim, clock, 12)

    assert {e.kind for e in events} <= {
        "arrival",
        "page_view",
        "form_submission",
        "e_opened_marketing_email",
        "e_clicked_marketing_email",
    }
    assert any(e.kind == "arrival" for e in events)
