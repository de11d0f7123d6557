"""How the company's events read in HubSpot: its property names, option values and objects.

Pure functions and tables, so the mapping is tested on its own; the renderer applies what they
return to the portal, with the change source HubSpot would record.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.events import (
    AccountOpened,
    BrowsingSummarised,
    CallLogged,
    DealClosed,
    DealOpened,
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
from handoff.sandbox.company.people import Person
from handoff.sandbox.company.terms import Channel, Evidence, FieldKind, FormField, Industry, LeadStatus, Stage
from handoff.sandbox.hubspot.catalog import DEAL_PIPELINE
from handoff.sandbox.hubspot.clock import iso
from handoff.sandbox.hubspot.forms import FormDef
from handoff.sandbox.hubspot.owners import Owner, Team

OWNER = "hubspot_owner_id"
LIFECYCLE_STAGE = "lifecyclestage"
LEAD_STATUS = "hs_lead_status"
TASK_STATUS = "hs_task_status"
# The fields `handoff setup` creates that the reps read or fill in.
HANDOFF_STAGE = "handoff_stage"
DISQUALIFICATION_REASON = "handoff_disqualification_reason"
EVIDENCE_PROPERTIES = {
    Evidence.NEED: "handoff_need",
    Evidence.AUTHORITY: "handoff_authority",
    Evidence.TIMELINE: "handoff_timeline",
    Evidence.BUDGET: "handoff_budget",
}

STAGES = {
    Stage.SUBSCRIBER: "subscriber",
    Stage.LEAD: "lead",
    Stage.MQL: "marketingqualifiedlead",
    Stage.SQL: "salesqualifiedlead",
    Stage.OPPORTUNITY: "opportunity",
    Stage.CUSTOMER: "customer",
}
LEAD_STATUSES = {
    LeadStatus.NEW: "NEW",
    LeadStatus.IN_PROGRESS: "IN_PROGRESS",
    LeadStatus.ATTEMPTED: "ATTEMPTED_TO_CONTACT",
    LeadStatus.CONNECTED: "CONNECTED",
    LeadStatus.OPEN_DEAL: "OPEN_DEAL",
    LeadStatus.UNQUALIFIED: "UNQUALIFIED",
}
ANALYTICS_SOURCES = {
    Channel.ORGANIC_SEARCH: "ORGANIC_SEARCH",
    Channel.PAID_SEARCH: "PAID_SEARCH",
    Channel.SOCIAL_MEDIA: "SOCIAL_MEDIA",
    Channel.REFERRALS: "REFERRALS",
    Channel.DIRECT_TRAFFIC: "DIRECT_TRAFFIC",
    Channel.EMAIL_MARKETING: "EMAIL_MARKETING",
    Channel.PAID_SOCIAL: "PAID_SOCIAL",
    Channel.OFFLINE: "OFFLINE",
}
INDUSTRIES = {
    Industry.SOFTWARE: "COMPUTER_SOFTWARE",
    Industry.INTERNET: "INTERNET",
    Industry.IT_SERVICES: "INFORMATION_TECHNOLOGY_AND_SERVICES",
    Industry.FINANCIAL_SERVICES: "FINANCIAL_SERVICES",
    Industry.BANKING: "BANKING",
    Industry.INSURANCE: "INSURANCE",
    Industry.HEALTH_CARE: "HOSPITAL_HEALTH_CARE",
    Industry.ENGINEERING: "MECHANICAL_OR_INDUSTRIAL_ENGINEERING",
    Industry.RETAIL: "RETAIL",
    Industry.EDUCATION: "EDUCATION_MANAGEMENT",
    Industry.MEDIA: "MEDIA_PRODUCTION",
    Industry.MARKETING: "MARKETING_AND_ADVERTISING",
    Industry.LOGISTICS: "LOGISTICS_AND_SUPPLY_CHAIN",
    Industry.TELECOMMUNICATIONS: "TELECOMMUNICATIONS",
}
INDUSTRY_OF = {value: industry for industry, value in INDUSTRIES.items()}
FORM_FIELDS = {
    FormField.EMAIL: "email",
    FormField.FIRST_NAME: "firstname",
    FormField.LAST_NAME: "lastname",
    FormField.COMPANY: "company",
    FormField.JOB_TITLE: "jobtitle",
    FormField.PHONE: "phone",
    FormField.COUNTRY: "country",
    FormField.EMPLOYEES: "numemployees",
    FormField.MESSAGE: "message",
}
FIELD_KINDS = {
    "bool": FieldKind.FLAG,
    "enumeration": FieldKind.CHOICE,
    "number": FieldKind.NUMBER,
    "date": FieldKind.DATE,
    "datetime": FieldKind.DATETIME,
}
"""HubSpot property types by the kind of value a rep types; any other type takes text."""

# Marketing emails get HubSpot-sized campaign ids, one per newsletter.
_FIRST_CAMPAIGN_ID = 7_400_000


def campaign_id(newsletter: str) -> str:
    return str(_FIRST_CAMPAIGN_ID + data.NEWSLETTERS.index(newsletter))


def rep_owner(event: RepJoined) -> Owner:
    """A rep's owner: the owner id is the rep's number, the user id their login's (gone, with
    the owner archived, once they left)."""
    team = Team(event.team_id, event.seat.team)
    left = event.left_at is not None
    return Owner(
        id=str(event.number),
        user_id=None if left else event.user_number,
        user_id_including_inactive=event.user_number,
        email=event.seat.email,
        first_name=event.seat.first_name,
        last_name=event.seat.last_name,
        created_at=event.at,
        updated_at=event.left_at or event.at,
        teams=(team,),
        primary_team_id=team.id,
        archived=left,
    )


def queue_owner(event: QueueOpened) -> Owner:
    return Owner(
        id=str(event.number),
        user_id=None,
        email=None,
        first_name=event.name,
        last_name="",
        created_at=event.at,
        updated_at=event.at,
        type="QUEUE",
    )


def form(event: FormPublished) -> FormDef:
    return FormDef(
        id=event.key,
        name=event.name,
        created_at=event.at,
        updated_at=event.at,
        fields=tuple(FORM_FIELDS[field] for field in event.fields),
        lifecycle_stage=STAGES[event.makes],
    )


def form_values(person: Person) -> dict[str, str]:
    """What a person types into a form, by HubSpot field name."""
    values = {"email": person.email, "firstname": person.first_name, "lastname": person.last_name}
    if person.job_title:
        values["jobtitle"] = person.job_title
    if person.company_name:
        values["company"] = person.company_name
    return values


def lead_properties(
    person: Person, country: str | None, phone: str, channel: Channel | None
) -> dict[str, str]:
    """A new lead's properties beyond the form: country, phone, company and analytics source."""
    props: dict[str, str] = {}
    if country is not None:
        props["country"] = country
    if phone:
        props["phone"] = phone
    if person.account is not None:
        props["associatedcompanyid"] = person.account.id
    if channel is not None:
        props["hs_analytics_source"] = ANALYTICS_SOURCES[channel]
    return props


def imported_lead(event: LeadImported) -> dict[str, str]:
    """An imported lead's properties: what a form would have asked, and the stage ``lead``."""
    return {
        **form_values(event.person),
        **lead_properties(event.person, event.country, event.phone, event.channel),
        LIFECYCLE_STAGE: STAGES[Stage.LEAD],
    }


def account_properties(event: AccountOpened) -> dict[str, str]:
    props = {
        "name": event.name,
        "domain": event.domain,
        "website": event.website,
        "industry": INDUSTRIES[event.industry],
        "numberofemployees": str(event.employees),
        "annualrevenue": str(event.revenue),
        "country": event.country,
        "city": event.city,
        LIFECYCLE_STAGE: STAGES[event.stage],
    }
    if event.owner is not None:
        props[OWNER] = event.owner
    return props


def browsing_summary(event: BrowsingSummarised) -> dict[str, str]:
    return {
        "hs_analytics_num_page_views": str(event.page_views),
        "hs_analytics_num_visits": str(event.visits),
        "hs_analytics_first_url": event.first_url,
        "hs_analytics_last_url": event.last_url,
        "hs_analytics_last_visit_timestamp": iso(event.last_visit_at),
    }


def engagement(
    event: CallLogged | EmailLogged | LeadReplied | MeetingLogged | NoteLogged,
) -> tuple[str, dict[str, str]]:
    """The engagement object type and properties for a touch logged on a lead."""
    common = {"hs_timestamp": iso(event.at), OWNER: event.rep}
    match event:
        case CallLogged():
            return "calls", {
                **common,
                "hs_call_title": event.title,
                "hs_call_direction": "OUTBOUND",
                "hs_call_status": "COMPLETED",
                "hs_call_duration": str(event.duration // timedelta(milliseconds=1)),
                "hs_call_body": event.notes,
            }
        case EmailLogged():
            return "emails", {
                **common,
                "hs_email_direction": "EMAIL",
                "hs_email_status": "SENT",
                "hs_email_subject": event.subject,
                "hs_email_text": event.text,
            }
        case LeadReplied():
            return "emails", {
                **common,
                "hs_email_direction": "INCOMING_EMAIL",
                "hs_email_subject": event.subject,
                "hs_email_text": event.text,
            }
        case MeetingLogged():
            return "meetings", {
                **common,
                "hs_meeting_title": event.title,
                "hs_meeting_start_time": iso(event.at),
                "hs_meeting_end_time": iso(event.ends_at),
                "hs_meeting_outcome": "COMPLETED" if event.held else "SCHEDULED",
            }
        case NoteLogged():
            return "notes", {**common, "hs_note_body": event.body}


def evidence_text(value: EvidenceValue) -> str:
    """A typed evidence value as HubSpot stores it."""
    match value:
        case bool():
            return "true" if value else "false"
        case int():
            return str(value)
        case datetime():
            return iso(value)
        case date():
            return value.isoformat()
        case str():
            return value


def evidence_changes(event: EvidenceDocumented) -> dict[str, str]:
    return {EVIDENCE_PROPERTIES[item]: evidence_text(value) for item, value in event.evidence}


def rejection_changes(event: LeadRejected) -> dict[str, str]:
    changes = {LEAD_STATUS: LEAD_STATUSES[LeadStatus.UNQUALIFIED]}
    if event.reason is not None:
        changes[DISQUALIFICATION_REASON] = event.reason
    return changes


def deal_properties(event: DealOpened) -> dict[str, str]:
    """A new deal in the default pipeline, at its first stage past the appointment."""
    return {
        "dealname": event.name,
        "pipeline": DEAL_PIPELINE,
        "dealstage": "qualifiedtobuy",
        "amount": str(event.amount),
        OWNER: event.rep,
    }


def deal_closing(event: DealClosed) -> dict[str, str]:
    return {
        "dealstage": "closedwon" if event.won else "closedlost",
        "amount": str(event.amount),
        "closedate": iso(event.at),
    }
