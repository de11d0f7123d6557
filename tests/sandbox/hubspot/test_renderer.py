"""The renderer on a real portal: each company event lands as HubSpot would hold it (properties,
change source, objects, the story told), and the port reads back what handoff wrote."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.events import (
    AccountOpened,
    Activity,
    BrowsingSummarised,
    CallLogged,
    DealClosed,
    DealOpened,
    EmailClicked,
    EmailOpened,
    EvidenceDocumented,
    FormPublished,
    FormSubmitted,
    LeadAccepted,
    LeadArrived,
    LeadAssigned,
    LeadIgnored,
    LeadImported,
    LeadRejected,
    LeadReplied,
    LeadStaged,
    OpportunityCreated,
    PagesViewed,
    PageView,
    RepJoined,
    TaskCompleted,
    TeamFormed,
)
from handoff.sandbox.company.people import Person
from handoff.sandbox.company.port import EvidenceField, Handoff
from handoff.sandbox.company.terms import Channel, Evidence, FieldKind, FormField, Industry, LeadStatus, Stage
from handoff.sandbox.hubspot.analytics import EMAIL_CLICK, EMAIL_OPEN, PAGE_VIEW
from handoff.sandbox.hubspot.narration import SimEvent
from handoff.sandbox.hubspot.records import ChangeSource
from handoff.sandbox.hubspot.renderer import HubSpotRenderer
from handoff.sandbox.hubspot.schema import OptionDef, PropertyDef, PropertyGroup
from handoff.sandbox.hubspot.state import SandboxState
from handoff.sandbox.kit.clock import SimulatedClock

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
AT = START + timedelta(hours=1)
HANDOFF = ChangeSource.api(3_141_592)
JO = Person("buyer", "jo@northwind.example", "Jo", "Doe", "CFO", "US", 3, None, "Northwind Software")


@dataclass
class Portal:
    state: SandboxState
    renderer: HubSpotRenderer
    story: list[SimEvent]
    rep: str
    user_id: int
    lead: str


def _options(*values: str) -> tuple[OptionDef, ...]:
    return tuple(OptionDef(v, v, i) for i, v in enumerate(values))


def _handoff_fields(state: SandboxState) -> None:
    """What ``handoff setup`` creates, with one field of every kind."""
    state.create_property_group("contacts", PropertyGroup("handoff", "handoff"))
    stages = _options("lead", "mql", "sal", "sql", "recycled", "disqualified")
    yes_no = _options("no", "yes")
    fields = [
        PropertyDef("handoff_stage", "Stage", "enumeration", "select", "handoff", options=stages),
        PropertyDef("handoff_need", "Need", "string", "textarea", "handoff"),
        PropertyDef("handoff_authority", "Authority", "enumeration", "select", "handoff", options=yes_no),
        PropertyDef("handoff_timeline", "Timeline", "date", "date", "handoff"),
        PropertyDef("handoff_budget", "Budget", "bool", "booleancheckbox", "handoff"),
        PropertyDef(
            "handoff_disqualification_reason", "Reason", "enumeration", "select", "handoff",
            options=_options("no_budget", "competitor"),
        ),
    ]  # fmt: skip
    for prop in fields:
        state.create_property("contacts", prop)


@pytest.fixture
def portal() -> Portal:
    state = SandboxState(SimulatedClock(START))
    story: list[SimEvent] = []
    renderer = HubSpotRenderer(state, narration=story)
    team = renderer.create(TeamFormed(START, data.TEAM_EMEA, 654321))
    rep = renderer.create(RepJoined(START, data.REPS[5], team, 31234567, 1234567))
    renderer.create(FormPublished(START, "form-demo", data.FORM_DEMO, (FormField.EMAIL,), Stage.LEAD))
    lead = renderer.create(LeadImported(START, JO, "US", "", Channel.OFFLINE))
    _handoff_fields(state)
    return Portal(state, renderer, story, rep, 1234567, lead)


def _ui(portal: Portal) -> tuple[str, str | None]:
    return ("CRM_UI", f"userId:{portal.user_id}")


@pytest.mark.parametrize(
    ("make", "written", "told"),
    [
        (
            lambda lead, rep: LeadAccepted(AT, lead, rep),
            {"hs_lead_status": "IN_PROGRESS"},
            ("accepted", "hs_lead_status=IN_PROGRESS"),
        ),
        (
            lambda lead, rep: LeadRejected(AT, lead, rep, "competitor"),
            {"hs_lead_status": "UNQUALIFIED", "handoff_disqualification_reason": "competitor"},
            ("rejected", "hs_lead_status=UNQUALIFIED, handoff_disqualification_reason=competitor"),
        ),
        (
            lambda lead, rep: LeadRejected(AT, lead, rep, None),
            {"hs_lead_status": "UNQUALIFIED"},
            ("rejected_no_reason", "hs_lead_status=UNQUALIFIED"),
        ),
        (
            lambda lead, rep: EvidenceDocumented(
                AT, lead, rep, ((Evidence.BUDGET, True), (Evidence.TIMELINE, AT.date()))
            ),
            {"handoff_budget": "true", "handoff_timeline": "2026-03-02"},
            ("evidence", "handoff_budget=true, handoff_timeline=2026-03-02"),
        ),
        (
            lambda lead, rep: OpportunityCreated(AT, lead, rep),
            {"lifecyclestage": "opportunity"},
            ("opportunity", "lifecyclestage=opportunity"),
        ),
        (
            lambda lead, rep: LeadAssigned(AT, lead, rep, LeadStatus.ATTEMPTED),
            {"hubspot_owner_id": "31234567", "hs_lead_status": "ATTEMPTED_TO_CONTACT"},
            None,
        ),
        (
            lambda lead, rep: LeadStaged(AT, lead, rep, Stage.SQL),
            {"lifecyclestage": "salesqualifiedlead"},
            None,
        ),
    ],
)
def test_a_reps_edits_are_ui_changes_signed_with_their_user_id(
    portal: Portal,
    make: Callable[[str, str], Activity],
    written: dict[str, str],
    told: tuple[str, str] | None,
) -> None:
    portal.renderer.apply(make(portal.lead, portal.rep))

    contact = portal.state.get("contacts", portal.lead, with_history=True)
    assert contact is not None
    assert {name: contact.get(name) for name in written} == written
    for name in written:
        latest = contact.history[name][0]
        assert (latest.source.type, latest.source.id, latest.timestamp) == (*_ui(portal), AT)
    expected = [] if told is None else [SimEvent(AT, told[0], portal.lead, told[1], portal.rep)]
    assert portal.story == expected


def test_a_value_hubspot_refuses_is_told_as_skipped(portal: Portal) -> None:
    before = portal.state.get("contacts", portal.lead)
    event = EvidenceDocumented(AT, portal.lead, portal.rep, ((Evidence.AUTHORITY, "the CRO"),))

    portal.renderer.apply(event)

    assert portal.state.get("contacts", portal.lead) == before
    [skipped] = portal.story
    assert (skipped.kind, skipped.owner_id) == ("skipped", portal.rep)
    assert skipped.detail.startswith("evidence: Property values were not valid")


def test_an_ignored_lead_is_told_but_untouched(portal: Portal) -> None:
    before = portal.state.get("contacts", portal.lead)

    portal.renderer.apply(LeadIgnored(AT, portal.lead, portal.rep))

    assert portal.state.get("contacts", portal.lead) == before
    assert portal.story == [SimEvent(AT, "ignored", portal.lead, "rep never responds", portal.rep)]


def test_touches_are_engagements_on_the_lead(portal: Portal) -> None:
    call = CallLogged(
        AT, portal.lead, portal.rep, "First call", timedelta(minutes=3), "Booked.", first_touch=True
    )
    reply = LeadReplied(AT, portal.lead, portal.rep, "Re: demo", "Thursday works.")

    portal.renderer.apply(call)
    portal.renderer.apply(reply)

    [call_id] = portal.state.associated_ids("contacts", portal.lead, "calls")
    [email_id] = portal.state.associated_ids("contacts", portal.lead, "emails")
    logged = portal.state.get("calls", call_id, with_history=True)
    replied = portal.state.get("emails", email_id, with_history=True)
    assert logged is not None
    assert replied is not None
    assert (logged.get("hubspot_owner_id"), logged.get("hs_call_duration")) == ("31234567", "180000")
    assert logged.history["hs_call_title"][0].source.type == "CRM_UI"
    assert replied.get("hs_email_direction") == "INCOMING_EMAIL"
    assert replied.history["hs_email_text"][0].source.type == "EMAIL_INTEGRATION"
    assert portal.story == [SimEvent(AT, "first_touch", portal.lead, "calls", portal.rep)]


def test_tasks_are_completed_by_their_rep(portal: Portal) -> None:
    task = portal.state.create_engagement(
        "tasks",
        {"hs_timestamp": START.isoformat(), "hs_task_status": "NOT_STARTED", "hubspot_owner_id": portal.rep},
        contact_id=portal.lead,
        source=HANDOFF,
    )
    assert portal.renderer.open_tasks(portal.lead, portal.rep) == [task.id]
    assert portal.renderer.open_tasks(portal.lead, "someone-else") == []

    portal.renderer.apply(TaskCompleted(AT, portal.lead, portal.rep, task.id))

    done = portal.state.get("tasks", task.id)
    assert done is not None
    assert done.get("hs_task_status") == "COMPLETED"
    assert portal.renderer.open_tasks(portal.lead, portal.rep) == []
    assert portal.story == [SimEvent(AT, "task_completed", portal.lead, task.id, portal.rep)]


def test_web_analytics(portal: Portal) -> None:
    early = PageView("view-1", START - timedelta(days=2), data.SITE + "/blog/bant-is-not-dead", None)
    late = PageView("view-2", AT, data.SITE + "/pricing", "https://www.google.com/")
    newsletter = data.NEWSLETTERS[1]

    portal.renderer.apply(PagesViewed(portal.lead, (early,), backfilled=True))
    backfilled = portal.state.get("contacts", portal.lead)
    portal.renderer.apply(PagesViewed(portal.lead, (late,)))
    portal.renderer.apply(EmailOpened(AT, portal.lead, "open-1", newsletter))
    portal.renderer.apply(EmailClicked(AT, portal.lead, "click-1", newsletter, data.SITE + "/product"))

    assert backfilled is not None
    assert backfilled.get("hs_analytics_num_page_views") is None, "history is summarised apart"
    contact = portal.state.get("contacts", portal.lead)
    assert contact is not None
    assert contact.get("hs_analytics_num_page_views") == "1"
    assert contact.get("hs_analytics_last_url") == data.SITE + "/pricing"
    events = portal.state.web_events(int(portal.lead))
    assert [(e.id, e.event_type) for e in events] == [
        ("view-1", PAGE_VIEW),
        ("view-2", PAGE_VIEW),
        ("open-1", EMAIL_OPEN),
        ("click-1", EMAIL_CLICK),
    ]
    assert {e.email_id for e in events if e.email_name} == {"7400001"}
    assert portal.story == [
        SimEvent(AT, "page_view", portal.lead, data.SITE + "/pricing"),
        SimEvent(AT, EMAIL_OPEN, portal.lead, newsletter),
        SimEvent(AT, EMAIL_CLICK, portal.lead, newsletter),
    ]


def test_a_browsing_summary_comes_from_the_analytics(portal: Portal) -> None:
    summary = BrowsingSummarised(AT, portal.lead, 9, 3, data.SITE + "/", data.SITE + "/pricing", AT)

    portal.renderer.apply(summary)

    contact = portal.state.get("contacts", portal.lead, with_history=True)
    assert contact is not None
    assert contact.get("hs_analytics_num_visits") == "3"
    assert contact.history["hs_analytics_num_visits"][0].source.type == "ANALYTICS"


def test_leads_arrive_through_forms(portal: Portal) -> None:
    buyer = Person("buyer", "ana@globex.example", "Ana", "Lee", "VP of Sales", "DE", 3, None, "Globex")
    view = PageView("view-9", AT - timedelta(hours=2), data.SITE + "/pricing", None)
    arrived = LeadArrived(AT, buyer, data.FORM_DEMO, "conv-1", data.SITE + "/demo", "DE", browsed=(view,))

    lead = portal.renderer.create(arrived)
    portal.renderer.apply(FormSubmitted(AT, lead, data.FORM_DEMO, "conv-2", data.SITE + "/demo"))
    portal.renderer.apply(FormSubmitted(AT, lead, "No such form", "conv-3", data.SITE + "/"))

    contact = portal.state.get("contacts", lead)
    assert contact is not None
    assert (contact.get("email"), contact.get("country"), contact.get("lifecyclestage")) == (
        "ana@globex.example",
        "DE",
        "lead",
    )
    assert contact.get("num_conversion_events") == "2"
    assert [s.conversion_id for s in portal.state.submissions("form-demo")] == ["conv-2", "conv-1"]
    assert [e.id for e in portal.state.web_events(int(lead))] == ["view-9"]
    assert portal.renderer.create(arrived) == lead, "the same email is the same lead"
    assert portal.story[:2] == [
        SimEvent(AT, "arrival", lead, data.FORM_DEMO),
        SimEvent(AT, "form_submission", lead, data.FORM_DEMO),
    ]


def test_reading_leads_and_handoffs(portal: Portal) -> None:
    assert portal.renderer.handoffs() == []
    portal.state.update(
        "contacts",
        portal.lead,
        {"handoff_stage": "mql", "hubspot_owner_id": portal.rep},
        source=HANDOFF,
        at=AT,
    )

    view = portal.renderer.lead(portal.lead)
    assert view is not None
    assert (view.owner, view.stage, view.accepted, view.email, view.job_title) == (
        portal.rep,
        "mql",
        False,
        "jo@northwind.example",
        "CFO",
    )
    assert portal.renderer.handoffs() == [Handoff(portal.lead, portal.rep, "mql", AT)]
    assert portal.renderer.lead_ids() == [portal.lead]
    assert portal.renderer.email_in_use("jo@northwind.example")
    assert portal.renderer.has_form(data.FORM_DEMO)
    assert not portal.renderer.has_form("No such form")
    portal.state.archive("contacts", portal.lead)
    assert portal.renderer.lead(portal.lead) is None
    assert portal.renderer.handoffs() == []


def test_reading_the_fields_handoff_set_up(portal: Portal) -> None:
    assert portal.renderer.evidence_fields() == {
        Evidence.NEED: EvidenceField(FieldKind.TEXT),
        Evidence.AUTHORITY: EvidenceField(FieldKind.CHOICE, ("no", "yes")),
        Evidence.TIMELINE: EvidenceField(FieldKind.DATE),
        Evidence.BUDGET: EvidenceField(FieldKind.FLAG),
    }
    assert portal.renderer.rejection_reasons() == ("no_budget", "competitor")


@pytest.mark.parametrize(
    ("definition", "reasons"),
    [
        (None, None),
        (PropertyDef("handoff_disqualification_reason", "Reason", "string", "text", "handoff"), ()),
    ],
)
def test_rejection_reasons_without_a_choice(
    definition: PropertyDef | None, reasons: tuple[str, ...] | None
) -> None:
    state = SandboxState(SimulatedClock(START))
    if definition is not None:
        state.create_property_group("contacts", PropertyGroup("handoff", "handoff"))
        state.create_property("contacts", definition)

    assert HubSpotRenderer(state).rejection_reasons() == reasons
    assert HubSpotRenderer(state).evidence_fields() == {}


def test_reading_reps_and_accounts(portal: Portal) -> None:
    opened = AccountOpened(
        START, "Globex Bank", "globexbank.example", "https://www.globexbank.example", Industry.BANKING,
        900, 90_000_000, "GB", "London", Stage.CUSTOMER, portal.rep,
    )  # fmt: skip
    account = portal.renderer.create(opened)
    odd = portal.state.create("companies", {"name": "Odd", "industry": "RETAIL", "numberofemployees": "12.0"})
    portal.state.update("companies", odd.id, {"industry": ""})

    [globex, unknown] = portal.renderer.accounts()

    assert (globex.id, globex.industry, globex.employees, globex.owner) == (
        account,
        Industry.BANKING,
        900,
        portal.rep,
    )
    assert (unknown.industry, unknown.employees, unknown.owner) == (None, 12, None)
    [rep] = portal.renderer.reps()
    assert (rep.id, rep.email, rep.team, rep.timezone) == (
        portal.rep,
        data.REPS[5].email,
        data.TEAM_EMEA,
        data.REPS[5].timezone,
    )


@pytest.mark.parametrize(
    ("won", "stage", "lifecycle"), [(True, "closedwon", "customer"), (False, "closedlost", "lead")]
)
def test_a_deal_opens_on_the_lead_and_closes_won_or_lost(
    portal: Portal, won: bool, stage: str, lifecycle: str
) -> None:
    state = portal.state
    portal.renderer.apply(DealOpened(AT, portal.lead, portal.rep, data.DEAL_NAME, 12_000))
    [deal_id] = state.associated_ids("contacts", portal.lead, "deals")
    opened = state.get("deals", deal_id)
    closed_at = AT + timedelta(days=9)

    portal.renderer.apply(DealClosed(closed_at, portal.lead, portal.rep, won, 13_500))

    deal = state.get("deals", deal_id, with_history=True)
    contact = state.get("contacts", portal.lead)
    assert opened is not None
    assert deal is not None
    assert contact is not None
    assert {k: opened.get(k) for k in ("dealstage", "amount", "hs_is_closed", "hubspot_owner_id")} == {
        "dealstage": "qualifiedtobuy",
        "amount": "12000",
        "hs_is_closed": "false",
        "hubspot_owner_id": portal.rep,
    }
    assert {k: deal.get(k) for k in ("dealstage", "amount", "hs_is_closed", "hs_is_closed_won")} == {
        "dealstage": stage,
        "amount": "13500",
        "hs_is_closed": "true",
        "hs_is_closed_won": "true" if won else "false",
    }
    assert (deal.history["dealstage"][0].source.type, deal.history["dealstage"][0].timestamp) == (
        "CRM_UI",
        closed_at,
    )
    assert contact.get("lifecyclestage") == lifecycle, "a won deal makes its contact a customer"
    kinds = [(event.kind, event.at) for event in portal.story]
    assert kinds == [("deal_opened", AT), ("deal_won" if won else "deal_lost", closed_at)]


def test_a_deal_closing_on_a_lead_without_one_is_told_as_skipped(portal: Portal) -> None:
    portal.renderer.apply(DealClosed(AT, portal.lead, portal.rep, True, 1_000))

    [skipped] = portal.story
    assert (skipped.kind, skipped.detail) == ("skipped", "deal closed: no open deal")
    assert portal.state.ids("deals") == []
