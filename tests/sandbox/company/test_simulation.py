"""The company's simulation against a fake CRM, no emulator: the reps act on what handoff wrote
(owner, stage, tasks, the fields it set up) and the market keeps the CRM busy, all as events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.events import (
    CallLogged,
    CompanyEvent,
    DealClosed,
    DealOpened,
    EmailClicked,
    EmailLogged,
    EmailOpened,
    EvidenceDocumented,
    FormSubmitted,
    LeadAccepted,
    LeadArrived,
    LeadIgnored,
    LeadRejected,
    OpportunityCreated,
    PagesViewed,
    TaskCompleted,
)
from handoff.sandbox.company.history import write_history
from handoff.sandbox.company.people import Rep
from handoff.sandbox.company.personas import NEVER, RESPONSIVE, SLOW
from handoff.sandbox.company.port import EvidenceField
from handoff.sandbox.company.profiles import SimulationProfile
from handoff.sandbox.company.qualification import JUDGEMENT_CALLS
from handoff.sandbox.company.simulation import CompanySimulation
from handoff.sandbox.company.terms import Evidence, FieldKind

from .fake_crm import FakeCrm

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
ANA = Rep("rep-ana", "ana.silva@acme.example", data.TEAM_NORTH_AMERICA, "America/New_York")
SOPHIE = Rep("rep-sophie", "sophie.martin@acme.example", data.TEAM_EMEA, "Europe/London")
FIELDS = {
    Evidence.NEED: EvidenceField(FieldKind.TEXT),
    Evidence.AUTHORITY: EvidenceField(FieldKind.CHOICE, ("no", "Unknown", "yes", "champion")),
    Evidence.TIMELINE: EvidenceField(FieldKind.DATE),
    Evidence.BUDGET: EvidenceField(FieldKind.NUMBER),
}
CALM = SimulationProfile(
    "calm", arrivals_per_hour=0, activity_per_hour=0, never_responds=0, slow=0,
    rejection_rate=0.0, three_of_four=0.0,
)  # fmt: skip


def _crm(reasons: tuple[str, ...] | None = ()) -> FakeCrm:
    return FakeCrm(reps=(ANA, SOPHIE), evidence=FIELDS, reasons=reasons)


def _run(simulation: CompanySimulation, hours: int, *, step: timedelta = timedelta(hours=1)) -> None:
    moment = START
    while moment < START + timedelta(hours=hours):
        moment += step
        simulation.advance(moment)


def _about(crm: FakeCrm, lead: str) -> list[CompanyEvent]:
    return [event for event in crm.events if getattr(event, "lead", None) == lead]


def test_a_responsive_rep_accepts_touches_and_documents_evidence() -> None:
    crm = _crm()
    lead = crm.add_lead("jo@northwind.example", "VP Revenue Operations")
    crm.hand_off(lead, ANA.id, "mql", START, task="task-ana")
    crm.leads[lead].tasks["task-sophie"] = SOPHIE.id

    _run(CompanySimulation(crm, 4, start=START, profile=CALM), 48)

    accepted, completed, touch, documented = _about(crm, lead)
    assert isinstance(accepted, LeadAccepted)
    assert accepted.rep == ANA.id
    assert timedelta(minutes=2) <= accepted.at - START <= timedelta(minutes=20)
    assert completed == TaskCompleted(accepted.at, lead, ANA.id, "task-ana")
    assert isinstance(touch, CallLogged | EmailLogged)
    assert touch.first_touch
    assert accepted.at < touch.at
    assert isinstance(documented, EvidenceDocumented)
    assert touch.at < documented.at
    evidence = dict(documented.evidence)
    assert [item for item, _ in documented.evidence] == sorted(Evidence)
    assert evidence[Evidence.AUTHORITY] == "yes", "the first option that says yes"
    assert evidence[Evidence.TIMELINE] == (documented.at + timedelta(days=90)).date()
    assert evidence[Evidence.BUDGET] == 40_000
    assert isinstance(evidence[Evidence.NEED], str)
    assert crm.leads[lead].tasks == {"task-sophie": SOPHIE.id}, "another rep's task stays open"


def test_a_rep_who_never_responds_ignores_the_lead() -> None:
    crm = _crm()
    lead = crm.add_lead("jo@northwind.example", "CFO")
    crm.hand_off(lead, ANA.id, "mql", START, task="task-ana")

    _run(CompanySimulation(crm, 4, start=START, profile=CALM, personas={ANA.email: NEVER}), 72)

    assert crm.events == [LeadIgnored(START, lead, ANA.id)]


def test_obvious_junk_is_rejected_on_sight() -> None:
    crm = _crm(reasons=("student", "competitor", "bad_data", "no_need"))
    leads = {
        crm.add_lead("kid@gmail.com", "Student"): "student",
        crm.add_lead("spy@rivalytics.example", "Head of Growth"): "competitor",
        crm.add_lead("asdf12@mailinator.com", "asdf"): "bad_data",
    }
    for lead in leads:
        crm.hand_off(lead, SOPHIE.id, "mql", START)

    _run(CompanySimulation(crm, 4, start=START, profile=CALM), 24)

    assert not crm.of(LeadAccepted)
    assert {event.lead: event.reason for event in crm.of(LeadRejected)} == leads


@pytest.mark.parametrize(
    ("reasons", "allowed"),
    [
        (None, {None}),
        ((), set(JUDGEMENT_CALLS)),
        (("other",), {"other"}),
        (("no_budget", "no_need", "no_authority"), {"no_budget", "no_need", "no_authority"}),
    ],
)
def test_reasons_follow_the_crms_field(reasons: tuple[str, ...] | None, allowed: set[str | None]) -> None:
    crm = _crm(reasons=reasons)
    leads = [crm.add_lead(f"buyer{n}@northwind.example", "CFO") for n in range(6)]
    for lead in leads:
        crm.hand_off(lead, ANA.id, "mql", START)
    picky = SimulationProfile(
        "picky", arrivals_per_hour=0, activity_per_hour=0, never_responds=0, slow=0,
        rejection_rate=1.0, reject_without_reason=0.0,
    )  # fmt: skip

    _run(CompanySimulation(crm, 4, start=START, profile=picky), 72)

    rejected = crm.of(LeadRejected)
    assert sorted(event.lead for event in rejected) == sorted(leads)
    assert {event.reason for event in rejected} <= allowed
    assert len(crm.of(LeadAccepted)) == 6, "a considered rejection comes after accepting and a touch"


def test_some_rejections_come_without_a_reason() -> None:
    crm = _crm(reasons=("no_budget",))
    lead = crm.add_lead("buyer@northwind.example", "CFO")
    crm.hand_off(lead, ANA.id, "mql", START)
    grumpy = SimulationProfile(
        "grumpy", arrivals_per_hour=0, activity_per_hour=0, never_responds=0, slow=0,
        rejection_rate=1.0, reject_without_reason=1.0,
    )  # fmt: skip

    _run(CompanySimulation(crm, 4, start=START, profile=grumpy), 72)

    [rejected] = crm.of(LeadRejected)
    assert rejected.reason is None


@pytest.mark.parametrize(("rate", "expected"), [(1.0, 1), (0.0, 0)])
def test_sqls_become_opportunities_at_the_profiles_rate(rate: float, expected: int) -> None:
    crm = _crm()
    lead = crm.add_lead("buyer@northwind.example", "CFO")
    crm.hand_off(lead, SOPHIE.id, "sql", START)
    profile = SimulationProfile(
        "deals", arrivals_per_hour=0, activity_per_hour=0, never_responds=0, slow=0, opportunity_rate=rate
    )

    _run(CompanySimulation(crm, 4, start=START, profile=profile), 72)

    assert len(crm.of(OpportunityCreated)) == expected
    assert all(event.rep == SOPHIE.id for event in crm.of(OpportunityCreated))
    assert not crm.of(LeadAccepted), "an SQL was accepted long ago"


def test_a_lead_routed_away_is_left_to_its_new_rep() -> None:
    crm = _crm()
    lead = crm.add_lead("buyer@northwind.example", "CFO")
    crm.hand_off(lead, ANA.id, "mql", START)
    simulation = CompanySimulation(crm, 4, start=START, profile=CALM)
    simulation.advance(START + timedelta(minutes=1))

    crm.hand_off(lead, SOPHIE.id, "mql", START + timedelta(minutes=1))
    simulation.advance(START + timedelta(days=3))

    assert crm.events
    assert {getattr(event, "rep", None) for event in crm.events} == {SOPHIE.id}


def _company(seed: int = 21) -> FakeCrm:
    crm = FakeCrm(evidence=FIELDS, reasons=())
    write_history(crm, seed, now=START, leads=150)
    crm.events.clear()
    return crm


def test_without_handoff_the_reps_have_nothing_to_do() -> None:
    crm = _company()

    _run(CompanySimulation(crm, 3, start=START, profile="demo_day"), 12)

    kinds = {type(event) for event in crm.events}
    assert kinds <= {LeadArrived, PagesViewed, FormSubmitted, EmailOpened, EmailClicked}
    assert LeadArrived in kinds
    assert all(not event.backfilled for event in crm.of(PagesViewed))


def test_without_forms_nobody_arrives() -> None:
    crm = _company()
    crm.forms.clear()

    _run(CompanySimulation(crm, 3, start=START, profile="demo_day"), 12)

    assert crm.events
    assert not crm.of(LeadArrived)


def test_a_demo_day_opens_with_demo_requests_from_both_sides_of_the_atlantic() -> None:
    crm = _company()

    _run(CompanySimulation(crm, 9, start=START, profile="demo_day"), 2)

    demos = [e for e in crm.of(LeadArrived) if e.form in (data.FORM_DEMO, data.FORM_CONTACT_SALES)]
    assert len(demos) >= 4
    assert all(e.person.category == "buyer" for e in demos)
    assert any(e.person.country in data.EMEA_COUNTRIES for e in demos)
    assert all([view.url for view in e.browsed].count(data.SITE + "/pricing") >= 3 for e in demos), (
        "demo requests read the pricing page first"
    )
    assert all(view.at <= e.at for e in crm.of(LeadArrived) for view in e.browsed)


def _day(step: timedelta, seed: int = 2) -> list[CompanyEvent]:
    crm = _company()
    for rep, lead in zip(crm.reps(), crm.lead_ids(), strict=False):
        crm.hand_off(lead, rep.id, "mql", START)
    _run(CompanySimulation(crm, seed, start=START, profile="steady"), 24, step=step)
    return crm.events


def test_same_seed_same_day_whatever_the_steps() -> None:
    hourly = _day(timedelta(hours=1))

    assert hourly == _day(timedelta(hours=1))
    assert hourly == _day(timedelta(hours=12))
    assert hourly == _day(timedelta(minutes=15))
    assert hourly != _day(timedelta(hours=1), seed=3)
    assert {LeadAccepted, LeadArrived} <= {type(event) for event in hourly}


def test_personas_are_dealt_by_the_profile_and_overridden_by_name() -> None:
    crm = _company()
    reps = crm.reps()

    dealt = CompanySimulation(crm, 9, start=START, profile="demo_day").personas
    chosen = CompanySimulation(
        crm, 9, start=START, profile="demo_day", personas={reps[0].email: SLOW, reps[1].id: NEVER}
    )

    never = [rep for rep in reps if dealt[rep.id] == NEVER]
    assert [rep.team for rep in never] == [data.TEAM_NORTH_AMERICA]
    assert sum(persona == SLOW for persona in dealt.values()) == 2
    assert (chosen.persona(reps[0].id), chosen.persona(reps[1].id)) == (SLOW, NEVER)
    assert chosen.persona("someone-else") == RESPONSIVE
    with pytest.raises(ValueError, match="unknown persona"):
        CompanySimulation(crm, 9, start=START, personas={reps[0].email: "grumpy"})


@pytest.mark.parametrize(
    ("close_rate", "win_rate", "expected"),
    [(1.0, 1.0, [True]), (1.0, 0.0, [False]), (0.0, 1.0, [])],
)
def test_an_opportunity_opens_a_deal_that_closes_won_or_lost_days_later(
    close_rate: float, win_rate: float, expected: list[bool]
) -> None:
    crm = _crm()
    lead = crm.add_lead("buyer@northwind.example", "CFO")
    crm.hand_off(lead, SOPHIE.id, "sql", START)
    profile = SimulationProfile(
        "deals", arrivals_per_hour=0, activity_per_hour=0, never_responds=0, slow=0,
        opportunity_rate=1.0, close_rate=close_rate, win_rate=win_rate, close_days=(5.0, 6.0),
    )  # fmt: skip

    _run(CompanySimulation(crm, 4, start=START, profile=profile), 24 * 9)

    [opportunity] = crm.of(OpportunityCreated)
    [deal] = crm.of(DealOpened)
    closed = crm.of(DealClosed)
    assert (deal.at, deal.lead, deal.rep) == (opportunity.at, lead, SOPHIE.id)
    assert [c.won for c in closed] == expected
    for c in closed:
        assert timedelta(days=5) <= c.at - deal.at <= timedelta(days=6)
        assert c.amount > 0
