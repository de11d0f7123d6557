"""The company's events in HubSpot's words: every neutral term has a HubSpot value, and each event
maps to the properties and objects HubSpot would hold (pure functions, table tests)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.events import (
    AccountOpened,
    BrowsingSummarised,
    CallLogged,
    EmailLogged,
    EvidenceDocumented,
    EvidenceValue,
    FormPublished,
    LeadImported,
    LeadRejected,
    LeadReplied,
    MeetingLogged,
    NoteLogged,
    QueueOpened,
    RepJoined,
)
from handoff.sandbox.company.people import Account, Person
from handoff.sandbox.company.terms import Channel, Evidence, FormField, Industry, LeadStatus, Stage
from handoff.sandbox.hubspot import catalog
from handoff.sandbox.hubspot import mapping as hs
from handoff.sandbox.hubspot.state import SandboxState
from handoff.sandbox.kit.clock import SimulatedClock

AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
STAMP = "2026-03-02T14:00:00.000Z"
ACCOUNT = Account("5000000007", "Northwind Software", "northwind.example", 120, Industry.SOFTWARE, "US", None)
BUYER = Person("buyer", "jo@northwind.example", "Jo", "Doe", "CFO", "US", 3, ACCOUNT, "Northwind Software")
PERSONAL = Person("personal", "jo@gmail.com", "Jo", "Doe", "", "GB", 1)


def _values(options: tuple[tuple[str, str], ...]) -> set[str]:
    return {value for value, _ in options}


@pytest.mark.parametrize(
    ("table", "terms", "allowed"),
    [
        (hs.STAGES, Stage, _values(catalog.LIFECYCLE_STAGES)),
        (hs.LEAD_STATUSES, LeadStatus, _values(catalog.LEAD_STATUSES)),
        (hs.ANALYTICS_SOURCES, Channel, _values(catalog.ANALYTICS_SOURCES)),
        (hs.INDUSTRIES, Industry, _values(catalog.INDUSTRIES)),
    ],
)
def test_every_term_has_a_hubspot_option(
    table: Mapping[Any, str], terms: type[StrEnum], allowed: set[str]
) -> None:
    assert set(table) == set(terms)
    assert set(table.values()) <= allowed
    assert len(set(table.values())) == len(table), "one option per term: the mapping reads back"


def test_form_fields_and_evidence_are_contact_properties() -> None:
    state = SandboxState(SimulatedClock(AT))
    contact_properties = {prop.name for prop in state.property_defs("contacts")}

    assert set(hs.FORM_FIELDS) == set(FormField)
    assert set(hs.FORM_FIELDS.values()) <= contact_properties
    assert set(hs.EVIDENCE_PROPERTIES) == set(Evidence)
    assert hs.INDUSTRY_OF[hs.INDUSTRIES[Industry.HEALTH_CARE]] is Industry.HEALTH_CARE


@pytest.mark.parametrize(
    ("person", "country", "phone", "channel", "expected"),
    [
        (BUYER, "US", "", None, {"country": "US", "associatedcompanyid": "5000000007"}),
        (
            BUYER,
            "United States",
            "+1 555 1234567",
            Channel.PAID_SEARCH,
            {
                "country": "United States",
                "phone": "+1 555 1234567",
                "associatedcompanyid": "5000000007",
                "hs_analytics_source": "PAID_SEARCH",
            },
        ),
        (PERSONAL, None, "", Channel.OFFLINE, {"hs_analytics_source": "OFFLINE"}),
        (PERSONAL, "", "", None, {"country": ""}),
    ],
)
def test_a_new_leads_properties(
    person: Person, country: str | None, phone: str, channel: Channel | None, expected: dict[str, str]
) -> None:
    props = hs.lead_properties(person, country, phone, channel)

    assert list(props.items()) == list(expected.items()), "in the order HubSpot records them"


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (
            BUYER,
            {
                "email": "jo@northwind.example",
                "firstname": "Jo",
                "lastname": "Doe",
                "jobtitle": "CFO",
                "company": "Northwind Software",
            },
        ),
        (PERSONAL, {"email": "jo@gmail.com", "firstname": "Jo", "lastname": "Doe"}),
    ],
)
def test_what_a_person_types_into_a_form(person: Person, expected: dict[str, str]) -> None:
    assert list(hs.form_values(person).items()) == list(expected.items())


def test_an_imported_lead_is_a_lead() -> None:
    props = hs.imported_lead(LeadImported(AT, PERSONAL, "GB", "", Channel.OFFLINE))

    assert list(props) == [
        "email",
        "firstname",
        "lastname",
        "country",
        "hs_analytics_source",
        "lifecyclestage",
    ]
    assert props["lifecyclestage"] == "lead"


@pytest.mark.parametrize(
    ("owner", "stage", "tail"),
    [
        (None, Stage.LEAD, [("lifecyclestage", "lead")]),
        ("31234567", Stage.CUSTOMER, [("lifecyclestage", "customer"), ("hubspot_owner_id", "31234567")]),
    ],
)
def test_an_accounts_properties(owner: str | None, stage: Stage, tail: list[tuple[str, str]]) -> None:
    event = AccountOpened(
        AT, "Globex Health", "globexhealth.example", "https://www.globexhealth.example",
        Industry.HEALTH_CARE, 640, 640 * 100_000, "DE", "Berlin", stage, owner,
    )  # fmt: skip

    assert list(hs.account_properties(event).items()) == [
        ("name", "Globex Health"),
        ("domain", "globexhealth.example"),
        ("website", "https://www.globexhealth.example"),
        ("industry", "HOSPITAL_HEALTH_CARE"),
        ("numberofemployees", "640"),
        ("annualrevenue", "64000000"),
        ("country", "DE"),
        ("city", "Berlin"),
        *tail,
    ]


@pytest.mark.parametrize(
    ("event", "kind", "props"),
    [
        (
            CallLogged(AT, "7", "31234567", "First call", timedelta(minutes=5, milliseconds=3), "Booked."),
            "calls",
            {
                "hs_call_title": "First call",
                "hs_call_direction": "OUTBOUND",
                "hs_call_status": "COMPLETED",
                "hs_call_duration": "300003",
                "hs_call_body": "Booked.",
            },
        ),
        (
            EmailLogged(AT, "7", "31234567", "Your demo", "Times for a call?"),
            "emails",
            {
                "hs_email_direction": "EMAIL",
                "hs_email_status": "SENT",
                "hs_email_subject": "Your demo",
                "hs_email_text": "Times for a call?",
            },
        ),
        (
            LeadReplied(AT, "7", "31234567", "Re: Your demo", "Thursday works."),
            "emails",
            {
                "hs_email_direction": "INCOMING_EMAIL",
                "hs_email_subject": "Re: Your demo",
                "hs_email_text": "Thursday works.",
            },
        ),
        (
            MeetingLogged(AT, "7", "31234567", "Demo", AT + timedelta(minutes=45), held=False),
            "meetings",
            {
                "hs_meeting_title": "Demo",
                "hs_meeting_start_time": STAMP,
                "hs_meeting_end_time": "2026-03-02T14:45:00.000Z",
                "hs_meeting_outcome": "SCHEDULED",
            },
        ),
        (
            MeetingLogged(AT, "7", "31234567", "Demo", AT + timedelta(minutes=45), held=True),
            "meetings",
            {
                "hs_meeting_title": "Demo",
                "hs_meeting_start_time": STAMP,
                "hs_meeting_end_time": "2026-03-02T14:45:00.000Z",
                "hs_meeting_outcome": "COMPLETED",
            },
        ),
        (NoteLogged(AT, "7", "31234567", "12 SDRs."), "notes", {"hs_note_body": "12 SDRs."}),
    ],
)
def test_touches_become_engagements(
    event: CallLogged | EmailLogged | LeadReplied | MeetingLogged | NoteLogged,
    kind: str,
    props: dict[str, str],
) -> None:
    assert hs.engagement(event) == (kind, {"hs_timestamp": STAMP, "hubspot_owner_id": "31234567", **props})


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (40_000, "40000"),
        (date(2026, 5, 31), "2026-05-31"),
        (datetime(2026, 5, 31, 14, 0, 0, 250_000, tzinfo=UTC), "2026-05-31T14:00:00.250Z"),
        ("Budget approved.", "Budget approved."),
    ],
)
def test_evidence_as_hubspot_stores_it(value: EvidenceValue, text: str) -> None:
    event = EvidenceDocumented(AT, "7", "31234567", ((Evidence.BUDGET, value), (Evidence.NEED, "Routing.")))

    assert hs.evidence_text(value) == text
    assert hs.evidence_changes(event) == {"handoff_budget": text, "handoff_need": "Routing."}


@pytest.mark.parametrize(
    ("reason", "changes"),
    [
        ("no_budget", {"hs_lead_status": "UNQUALIFIED", "handoff_disqualification_reason": "no_budget"}),
        (None, {"hs_lead_status": "UNQUALIFIED"}),
        ("", {"hs_lead_status": "UNQUALIFIED", "handoff_disqualification_reason": ""}),
    ],
)
def test_rejections(reason: str | None, changes: dict[str, str]) -> None:
    assert hs.rejection_changes(LeadRejected(AT, "7", "31234567", reason)) == changes


def test_a_browsing_summary() -> None:
    event = BrowsingSummarised(
        AT, "7", 7, 2, data.SITE + "/blog/bant-is-not-dead", data.SITE + "/pricing", AT - timedelta(hours=1)
    )

    assert hs.browsing_summary(event) == {
        "hs_analytics_num_page_views": "7",
        "hs_analytics_num_visits": "2",
        "hs_analytics_first_url": "https://www.acme.example/blog/bant-is-not-dead",
        "hs_analytics_last_url": "https://www.acme.example/pricing",
        "hs_analytics_last_visit_timestamp": "2026-03-02T13:00:00.000Z",
    }


def test_reps_queues_and_forms() -> None:
    seat = data.REPS[0]
    active = hs.rep_owner(RepJoined(AT, seat, "123456", 31234567, 1234567))
    former = hs.rep_owner(RepJoined(AT, seat, "123456", 31234568, 1234568, left_at=AT + timedelta(days=9)))
    queue = hs.queue_owner(QueueOpened(AT, data.QUEUE_NAME, 41234567))
    newsletter = hs.form(
        FormPublished(
            AT, "f-1", data.FORM_NEWSLETTER, (FormField.EMAIL, FormField.FIRST_NAME), Stage.SUBSCRIBER
        )
    )
    demo = hs.form(FormPublished(AT, "f-2", data.FORM_DEMO, (FormField.EMPLOYEES,), Stage.LEAD))

    assert (active.id, active.user_id, active.archived) == ("31234567", 1234567, False)
    assert active.primary_team is not None
    assert (active.primary_team.id, active.primary_team.name) == ("123456", seat.team)
    assert (former.user_id, former.user_id_including_inactive, former.archived) == (None, 1234568, True)
    assert former.updated_at == AT + timedelta(days=9)
    assert (queue.type, queue.first_name, queue.user_id) == ("QUEUE", data.QUEUE_NAME, None)
    assert (newsletter.fields, newsletter.lifecycle_stage) == (("email", "firstname"), "subscriber")
    assert (demo.id, demo.fields, demo.lifecycle_stage) == ("f-2", ("numemployees",), "lead")
    assert hs.campaign_id(data.NEWSLETTERS[2]) == "7400002"
