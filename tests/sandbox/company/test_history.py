"""The company's history as events, with no emulator: deterministic, and shaped like a B2B
company's past (a team, forms, accounts, leads across fit levels and the work done on them)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

import pytest

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.events import (
    AccountOpened,
    CallLogged,
    DealClosed,
    DealOpened,
    EmailLogged,
    EmailOpened,
    FormPublished,
    FormSubmitted,
    LeadArrived,
    LeadAssigned,
    LeadImported,
    LeadReplied,
    LeadStaged,
    MeetingLogged,
    NoteLogged,
    PagesViewed,
    QueueOpened,
    RepJoined,
    TeamFormed,
)
from handoff.sandbox.company.history import History, write_history
from handoff.sandbox.company.leads import LeadFactory
from handoff.sandbox.company.terms import Channel, Stage

from .fake_crm import FakeCrm

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def _history(seed: int, leads: int = 120) -> tuple[FakeCrm, History]:
    crm = FakeCrm()
    return crm, write_history(crm, seed, now=NOW, leads=leads)


@pytest.fixture(scope="module")
def written() -> tuple[FakeCrm, History]:
    return _history(5, leads=400)


def test_same_seed_same_history() -> None:
    first, _ = _history(11)
    again, _ = _history(11)
    other, _ = _history(12)

    assert first.events == again.events
    assert first.events != other.events


def test_the_sales_team(written: tuple[FakeCrm, History]) -> None:
    crm, history = written
    joined = crm.of(RepJoined)

    assert [team.name for team in crm.of(TeamFormed)] == list(data.TEAMS)
    assert [rep.email for rep in history.reps] == [seat.email for seat in data.REPS]
    assert Counter(rep.team for rep in history.reps) == {"North America": 5, "EMEA": 4, "Enterprise": 3}
    assert [r.seat for r in joined if r.left_at is not None] == [data.FORMER_REP]
    assert all(r.number != r.user_number for r in joined)
    assert len({r.number for r in joined} | {r.user_number for r in joined}) == 2 * len(joined)
    assert [queue.name for queue in crm.of(QueueOpened)] == [data.QUEUE_NAME]
    assert set(history.teams) == set(data.TEAMS)


def test_forms_and_accounts(written: tuple[FakeCrm, History]) -> None:
    crm, history = written
    forms = crm.of(FormPublished)
    accounts = crm.of(AccountOpened)
    domains = Counter(a.domain for a in accounts)

    assert [f.name for f in forms] == list(data.ALL_FORMS)
    assert {f.name: f.makes for f in forms}[data.FORM_NEWSLETTER] is Stage.SUBSCRIBER
    assert {f.makes for f in forms if f.name != data.FORM_NEWSLETTER} == {Stage.LEAD}
    assert history.forms.keys() == set(data.ALL_FORMS)
    assert 140 <= len(accounts) <= 160
    assert {a.domain for a in accounts} >= {domain for _, domain in data.COMPETITORS}
    assert any(count > 1 for count in domains.values()), "a duplicate account, as real CRMs have"
    owned = [a for a in accounts if a.owner is not None]
    assert owned
    assert {a.stage for a in owned} <= {Stage.OPPORTUNITY, Stage.CUSTOMER}
    assert {a.stage for a in accounts if a.owner is None} == {Stage.LEAD}
    assert {a.owner for a in owned} <= {rep.id for rep in history.reps}


def test_leads_span_fit_levels_and_channels(written: tuple[FakeCrm, History]) -> None:
    crm, history = written
    arrived = crm.of(LeadArrived)
    imported = crm.of(LeadImported)
    people = [event.person for event in arrived] + [event.person for event in imported]
    categories = Counter(person.category for person in people)

    assert len(history.lead_ids) == len(set(history.lead_ids)) == 400
    assert len(people) == 400
    assert len({person.email for person in people}) == 400
    assert set(categories) == {"buyer", "practitioner", "personal", "low_fit", "competitor", "bad_data"}
    assert {event.channel for event in imported} == {Channel.OFFLINE}
    assert Channel.OFFLINE not in {event.channel for event in arrived}
    assert {event.form for event in arrived} <= set(data.ALL_FORMS)
    assert any(event.country in data.COUNTRY_NAMES.values() for event in arrived), "typed-out countries"
    assert any(event.country is None for event in arrived), "and some left out"


def test_the_work_before_handoff(written: tuple[FakeCrm, History]) -> None:
    crm, history = written
    reps = {rep.id for rep in history.reps}
    leads = set(history.lead_ids)
    touches: list[CallLogged | EmailLogged | MeetingLogged | NoteLogged] = [
        *crm.of(CallLogged),
        *crm.of(EmailLogged),
        *crm.of(MeetingLogged),
        *crm.of(NoteLogged),
    ]
    assigned = crm.of(LeadAssigned)
    staged = {event.lead: event for event in crm.of(LeadStaged)}

    assert touches
    assert crm.of(LeadReplied)
    assert {touch.rep for touch in touches} <= reps
    assert not any(touch.first_touch for touch in crm.of(CallLogged) + crm.of(EmailLogged))
    assert {event.lead for event in assigned} == set(staged) <= leads
    assert all(event.at <= staged[event.lead].at for event in assigned)
    assert {staged[e.lead].stage for e in assigned} >= {Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.SQL}
    assert all(not meeting.held for meeting in crm.of(MeetingLogged) if meeting.at >= NOW)


def test_everything_happened_before_now_and_to_known_leads(written: tuple[FakeCrm, History]) -> None:
    crm, history = written
    leads = set(history.lead_ids)
    views = [view for event in crm.of(PagesViewed) for view in event.views]
    activities: list[FormSubmitted | EmailOpened | PagesViewed] = [
        *crm.of(FormSubmitted),
        *crm.of(EmailOpened),
        *crm.of(PagesViewed),
    ]
    timed: list[FormSubmitted | EmailOpened] = [*crm.of(FormSubmitted), *crm.of(EmailOpened)]

    assert all(event.backfilled for event in crm.of(PagesViewed))
    assert all(view.at <= NOW for view in views)
    assert all(view.url.startswith(data.SITE) for view in views)
    assert {event.lead for event in activities} <= leads
    assert all(event.at <= NOW for event in timed)


def test_a_new_person_never_takes_an_email_the_crm_holds() -> None:
    """The factory asks the CRM: here every email not ending in 7 is taken."""
    factory = LeadFactory(random.Random(3), lambda email: "7@" not in email, [])

    people = [factory.make("personal") for _ in range(20)]

    assert all("7@" in person.email for person in people)
    assert len({person.email for person in people}) == 20


def test_opportunities_and_customers_have_deals_that_leave_the_rest_of_the_history_as_it_was(
    written: tuple[FakeCrm, History],
) -> None:
    crm, _ = written
    staged = {e.lead: e.stage for e in crm.of(LeadStaged)}
    opened = {e.lead: e for e in crm.of(DealOpened)}
    closed = {e.lead: e for e in crm.of(DealClosed)}
    worked = {lead for lead, stage in staged.items() if stage in (Stage.OPPORTUNITY, Stage.CUSTOMER)}

    assert worked
    assert set(opened) == worked, "one deal per opportunity or customer"
    assert {lead for lead, e in closed.items() if e.won} == {
        lead for lead, stage in staged.items() if stage is Stage.CUSTOMER
    }, "a customer's deal was won"
    assert all(e.at >= opened[e.lead].at for e in closed.values())
    assert all(6_000 <= e.amount <= 90_000 for e in opened.values())
    without_deals = [e for e in crm.events if not isinstance(e, DealOpened | DealClosed)]
    assert len(without_deals) + len(opened) + len(closed) == len(crm.events)
