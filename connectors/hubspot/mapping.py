"""HubSpot's properties in handoff's canonical terms, and back (docs/crm-fields.md).

Everything HubSpot-specific about meaning lives here: which lifecycle stage a handoff stage maps
to, which lead statuses mean "accepted", which form is a demo request, where the evidence is kept.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from handoff.config.vocabulary import CRM_OWNED_STAGES, ActivityKind, Stage
from handoff.connectors.hubspot.stages import PortalStages
from handoff.lifecycle.outputs import FieldValues, OutputField
from handoff.lifecycle.records import Activity, Company, Contact

HANDOFF_GROUP = "handoff"

OUTPUT_PROPERTIES: dict[OutputField, str] = {
    OutputField.STAGE: "handoff_stage",
    OutputField.OWNER: "hubspot_owner_id",
    OutputField.SCORE: "handoff_score",
    OutputField.FIT_SCORE: "handoff_fit_score",
    OutputField.ENGAGEMENT_SCORE: "handoff_engagement_score",
    OutputField.REASON: "handoff_reason",
    OutputField.SLA_DUE_AT: "handoff_sla_due_at",
    OutputField.SLA_STATUS: "handoff_sla_status",
    OutputField.DISQUALIFICATION_REASON: "handoff_disqualification_reason",
}
NUMBER_OUTPUTS = {OutputField.SCORE, OutputField.FIT_SCORE, OutputField.ENGAGEMENT_SCORE}

DEFAULT_FORMS: dict[str, str] = {
    "Request a demo": "demo_request",
    "Book a demo": "demo_request",
    "Contact sales": "contact_request",
    "Talk to sales": "contact_request",
    "Start free trial": "trial_signup",
    "Newsletter signup": "newsletter_signup",
    "Download: *": "content_download",
    "Webinar registration: *": "webinar_registered",
    "*": "form_submission",
}

COMPANY_PROPERTIES = (
    "name",
    "domain",
    "numberofemployees",
    "industry",
    "country",
    "state",
    "annualrevenue",
    "hubspot_owner_id",
)
ENGAGEMENT_TYPES = ("calls", "emails", "meetings", "notes")
# HubSpot moves these when something handoff reads as an activity happens: a call, email,
# meeting or note logged ("Last activity date", "Last sales activity date"), a form submitted, a
# visit. A contact modified with none of them moved has no new activity to read.
ENGAGEMENT_DATES = ("notes_last_updated", "hs_last_sales_activity_timestamp")
ACTIVITY_DATES = (*ENGAGEMENT_DATES, "recent_conversion_date", "hs_analytics_last_visit_timestamp")
ENGAGEMENT_PROPERTIES = {
    "calls": (
        "hs_timestamp",
        "hubspot_owner_id",
        "hs_call_title",
        "hs_call_disposition",
        "hs_lastmodifieddate",
    ),
    "emails": (
        "hs_timestamp",
        "hubspot_owner_id",
        "hs_email_direction",
        "hs_email_subject",
        "hs_lastmodifieddate",
    ),
    "meetings": (
        "hs_timestamp",
        "hubspot_owner_id",
        "hs_meeting_title",
        "hs_meeting_outcome",
        "hs_lastmodifieddate",
    ),
    "notes": ("hs_timestamp", "hubspot_owner_id", "hs_lastmodifieddate"),
}
_NUMBER = re.compile(r"^-?\d+(\.0+)?$")


@dataclass(frozen=True)
class AccountMap:
    """The account's choices: evidence items, accepted lead statuses, the form map, extra fields."""

    evidence: tuple[str, ...] = ("need", "authority", "timeline", "budget")
    accepted_statuses: frozenset[str] = frozenset({"IN_PROGRESS", "CONNECTED", "OPEN_DEAL"})
    rejected_statuses: frozenset[str] = frozenset({"UNQUALIFIED"})
    forms: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_FORMS))
    custom: tuple[str, ...] = ()
    lifecycle_stages: Mapping[str, Stage] = field(default_factory=dict)
    """The portal's custom lifecycle stages (label or value) → the handoff stage each means."""
    leads: bool = False
    """Reps work leads in HubSpot's Leads object (connectors/hubspot/leads.py)."""
    window_days: float = 90
    """Page views older than the scoring window are not worth a request each."""

    def contact_properties(self) -> list[str]:
        names = {
            "email",
            "firstname",
            "lastname",
            "jobtitle",
            "country",
            "company",
            "hs_analytics_source",
            "lifecyclestage",
            "hs_lead_status",
            "hubspot_owner_id",
            "hubspot_owner_assigneddate",
            "associatedcompanyid",
            "createdate",
            "lastmodifieddate",
            "hs_object_id",
            "hs_merged_object_ids",
            "recent_conversion_event_name",
            "recent_conversion_date",
            "first_conversion_event_name",
            "first_conversion_date",
            "hs_analytics_last_url",
            "hs_analytics_last_visit_timestamp",
            *ACTIVITY_DATES,
            *OUTPUT_PROPERTIES.values(),
            *(f"handoff_{item}" for item in self.evidence),
            *self.custom,
            *PortalStages.default().date_properties(),
        }
        return sorted(names)

    def signal_properties(self) -> list[str]:
        """The properties that carry a rep's signals, whose history dates them."""
        return [
            "hs_lead_status",
            "hubspot_owner_id",
            "lifecyclestage",
            "handoff_stage",
            "handoff_disqualification_reason",
            *(f"handoff_{item}" for item in self.evidence),
        ]

    def form_kind(self, form: str) -> tuple[ActivityKind, str | None]:
        """The activity kind of a form, and the asset its name carries ("Download: <asset>")."""
        for pattern, kind in self.forms.items():
            if fnmatch.fnmatchcase(form, pattern):
                asset = form[len(pattern) - 1 :] if pattern.endswith("*") and len(pattern) > 1 else None
                return ActivityKind(kind), asset
        return ActivityKind.FORM_SUBMISSION, None


def contact_from(
    props: Mapping[str, Any],
    company: Mapping[str, Any] | None,
    mapping: AccountMap,
    industries: Mapping[str, str] | None = None,
    stages: PortalStages | None = None,
) -> Contact:
    """The contact as handoff reads it. A value it cannot use (employees `about fifty`, a stage
    date in the year 9999, a custom lifecycle stage nobody mapped) is left out and named in
    `problems`, never guessed and never fatal."""
    problems: list[str] = []
    stages = stages or PortalStages.default()
    lifecycle = _text(props.get("lifecyclestage"))
    status = _text(props.get("hs_lead_status"))
    if stages.unmapped(lifecycle):
        problems.append(
            f"lifecycle stage {stages.label(lifecycle or '')!r} is a custom stage with no meaning for"
            " handoff (map it in HANDOFF_HUBSPOT_LIFECYCLE_STAGES); handoff leaves it as it is"
        )
    return Contact(
        id=str(props["hs_object_id"]),
        email=_text(props.get("email")),
        first_name=_text(props.get("firstname")),
        last_name=_text(props.get("lastname")),
        title=_text(props.get("jobtitle")),
        country=_text(props.get("country")),
        source=_text(props.get("hs_analytics_source")),
        company=_company(company, props, industries or {}, problems),
        stage=_stage(props, stages.meaning(lifecycle)),
        stage_entered_at=_date(props, stages.date_property(lifecycle), problems) if lifecycle else None,
        lead_status=status,
        accepted=status in mapping.accepted_statuses,
        rejected=status in mapping.rejected_statuses,
        disqualification_reason=_text(props.get("handoff_disqualification_reason")),
        evidence={item: value for item in mapping.evidence if (value := _text(props.get(f"handoff_{item}")))},
        owner_id=_text(props.get("hubspot_owner_id")),
        owner_assigned_at=_date(props, "hubspot_owner_assigneddate", problems),
        created_at=_date(props, "createdate", problems),
        updated_at=instant(props.get("lastmodifieddate")),
        activity_at=max((m for name in ACTIVITY_DATES if (m := instant(props.get(name)))), default=None),
        custom={name: value for name in mapping.custom if (value := _text(props.get(name)))},
        problems=tuple(problems),
    )


def written_from(props: Mapping[str, Any]) -> FieldValues:
    """The CRM's current values of handoff's outputs, as canonical text."""
    values: FieldValues = {}
    for output, name in OUTPUT_PROPERTIES.items():
        raw = _text(props.get(name))
        if raw is not None and output in NUMBER_OUTPUTS and _NUMBER.match(raw):
            raw = str(int(raw.partition(".")[0]))
        elif raw is not None and output is OutputField.SLA_DUE_AT:
            moment = instant(raw)
            raw = moment.isoformat(timespec="seconds") if moment else raw
        elif raw is not None and output is OutputField.STAGE and stage_named(raw) is None:
            raw = None  # not a stage (an import wrote junk): handoff's own stage goes over it
        values[output] = raw
    return values


def to_properties(fields: FieldValues) -> dict[str, str]:
    """Canonical values as HubSpot properties ("" clears one)."""
    return {OUTPUT_PROPERTIES[output]: ("" if value is None else value) for output, value in fields.items()}


def owner_name(owner: Mapping[str, Any]) -> str:
    name = " ".join(part for part in (owner.get("firstName"), owner.get("lastName")) if part)
    return name or str(owner.get("email") or owner.get("id"))


def engagement_activity(
    kind: str, record: Mapping[str, Any], outcomes: Mapping[str, str] | None = None
) -> Activity | None:
    """The engagement as an activity; a call's outcome by its label (`outcomes`: id → label)."""
    props = record.get("properties") or {}
    occurred = instant(props.get("hs_timestamp"))
    if occurred is None:
        return None
    owner = _text(props.get("hubspot_owner_id"))
    activity_id = f"{kind}:{record['id']}"
    if kind == "calls":
        return Activity(
            activity_id,
            ActivityKind.CALL,
            occurred,
            owner,
            _attrs(outcome=(outcomes or {}).get(str(disposition), disposition))
            if (disposition := props.get("hs_call_disposition"))
            else {},
        )
    if kind == "meetings":
        return Activity(
            activity_id,
            ActivityKind.MEETING,
            occurred,
            owner,
            _attrs(outcome=props.get("hs_meeting_outcome")),
        )
    if kind == "notes":
        return Activity(activity_id, ActivityKind.NOTE, occurred, owner)
    direction = _text(props.get("hs_email_direction")) or "EMAIL"
    email_kind = ActivityKind.EMAIL_REPLY if direction == "INCOMING_EMAIL" else ActivityKind.EMAIL_SENT
    return Activity(
        activity_id, email_kind, occurred, owner if email_kind is ActivityKind.EMAIL_SENT else None
    )


def conversion_activities(props: Mapping[str, Any], mapping: AccountMap) -> list[Activity]:
    """Form submissions as the contact records them: its first and most recent conversion.

    Every submission updates the contact, so each one reaches the mirror as it happens and the
    mirror keeps the history; no per-form polling (one request per form per cycle) is needed. A
    contact with one submission has it as both first and most recent: it counts once.
    """
    found: dict[str, Activity] = {}
    for prefix in ("first", "recent"):
        form = _text(props.get(f"{prefix}_conversion_event_name"))
        moment = instant(props.get(f"{prefix}_conversion_date"))
        if form and moment:
            kind, asset = mapping.form_kind(form)
            activity_id = f"form:{props['hs_object_id']}:{int(moment.timestamp() * 1000)}"
            found.setdefault(
                activity_id, Activity(activity_id, kind, moment, attributes=_attrs(form=form, asset=asset))
            )
    return list(found.values())


def visit_activity(props: Mapping[str, Any]) -> Activity | None:
    """Without the web-events API (below Enterprise), the last visit the contact records."""
    moment = instant(props.get("hs_analytics_last_visit_timestamp"))
    url = _text(props.get("hs_analytics_last_url"))
    if moment is None or url is None:
        return None
    activity_id = f"visit:{props['hs_object_id']}:{int(moment.timestamp() * 1000)}"
    return Activity(activity_id, ActivityKind.PAGE_VIEW, moment, attributes={"url": url})


def event_activity(event: Mapping[str, Any]) -> Activity | None:
    moment = instant(event.get("occurredAt"))
    props = event.get("properties") or {}
    kinds = {
        "e_visited_page": ActivityKind.PAGE_VIEW,
        "e_opened_marketing_email": ActivityKind.EMAIL_OPEN,
        "e_clicked_marketing_email": ActivityKind.EMAIL_CLICK,
    }
    kind = kinds.get(str(event.get("eventType")))
    if moment is None or kind is None:
        return None
    url = _text(props.get("hs_url")) or _text(props.get("hs_page_url"))
    return Activity(
        f"event:{event.get('id')}",
        kind,
        moment,
        attributes=_attrs(url=url, campaign=props.get("hs_email_campaign_name")),
    )


def instant(value: Any) -> datetime | None:
    """HubSpot sends instants as ISO-8601 ("...Z") or epoch milliseconds, as strings or numbers."""
    if value is None or value == "":
        return None
    text = str(value)
    try:
        if text.isdigit():
            moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(text))
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment if EARLIEST <= moment < LATEST else None


def epoch_ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _stage(props: Mapping[str, Any], owned: Stage | None) -> Stage | None:
    if owned in CRM_OWNED_STAGES:
        return owned
    return stage_named(_text(props.get("handoff_stage"))) or owned


def stage_named(text: str | None) -> Stage | None:
    try:
        return Stage(text) if text else None
    except ValueError:
        return None


def _company(
    company: Mapping[str, Any] | None,
    props: Mapping[str, Any],
    industries: Mapping[str, str],
    problems: list[str],
) -> Company:
    if not company:
        return Company(name=_text(props.get("company")))
    employees = _amount(company, "numberofemployees", "company employees", MAX_EMPLOYEES, problems)
    return Company(
        name=_text(company.get("name")),
        domain=_text(company.get("domain")),
        employees=int(employees) if employees is not None else None,
        industry=industries.get(str(company.get("industry")), _text(company.get("industry"))),
        country=_text(company.get("country")),
        region=_text(company.get("state")),
        revenue=_amount(company, "annualrevenue", "company annual revenue", MAX_REVENUE, problems),
    )


# The largest employer has about two million people; a count far past that is a typo or junk.
MAX_EMPLOYEES = 10_000_000
MAX_REVENUE = 1e13
# Instants handoff can do business-time arithmetic on: a stage date in the year 9999 is junk.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _amount(
    record: Mapping[str, Any], name: str, label: str, largest: float, problems: list[str]
) -> float | None:
    """A non-negative number within reason, or None with the reason named in `problems`."""
    value = record.get(name)
    if value in (None, ""):
        return None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        problems.append(f"{label} {_shown(value)} is not a number, ignored")
        return None
    if not math.isfinite(number) or number < 0 or number > largest:
        problems.append(f"{label} {_shown(value)} is not a plausible amount, ignored")
        return None
    return number


def _date(props: Mapping[str, Any], name: str, problems: list[str]) -> datetime | None:
    value = props.get(name)
    moment = instant(value)
    if moment is None and value not in (None, ""):
        problems.append(f"{name} {_shown(value)} is not a date handoff can use, ignored")
    return moment


def _shown(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _attrs(**values: Any) -> dict[str, str]:
    return {key: str(value) for key, value in values.items() if value not in (None, "")}
