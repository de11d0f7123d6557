"""The object types and the properties a fresh HubSpot account has out of the box.

Custom ``handoff_*`` properties are deliberately absent: they exist only after someone creates them
through the Properties API, exactly as on a real portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from handoff.sandbox.hubspot.schema import OptionDef, PropertyDef, PropertyGroup

_DEFINED_AT = datetime(2019, 8, 6, 2, 43, 14, 491000, tzinfo=UTC)

LIFECYCLE_STAGES: tuple[tuple[str, str], ...] = (
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
)
LEAD_STATUSES: tuple[tuple[str, str], ...] = (
    ("NEW", "New"),
    ("OPEN", "Open"),
    ("IN_PROGRESS", "In Progress"),
    ("OPEN_DEAL", "Open Deal"),
    ("UNQUALIFIED", "Unqualified"),
    ("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
    ("CONNECTED", "Connected"),
    ("BAD_TIMING", "Bad Timing"),
)
ANALYTICS_SOURCES: tuple[tuple[str, str], ...] = (
    ("ORGANIC_SEARCH", "Organic Search"),
    ("PAID_SEARCH", "Paid Search"),
    ("EMAIL_MARKETING", "Email Marketing"),
    ("SOCIAL_MEDIA", "Organic Social"),
    ("REFERRALS", "Referrals"),
    ("OTHER_CAMPAIGNS", "Other Campaigns"),
    ("DIRECT_TRAFFIC", "Direct Traffic"),
    ("OFFLINE", "Offline Sources"),
    ("PAID_SOCIAL", "Paid Social"),
)
INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("COMPUTER_SOFTWARE", "Computer Software"),
    ("INTERNET", "Internet"),
    ("INFORMATION_TECHNOLOGY_AND_SERVICES", "Information Technology and Services"),
    ("FINANCIAL_SERVICES", "Financial Services"),
    ("BANKING", "Banking"),
    ("INSURANCE", "Insurance"),
    ("HOSPITAL_HEALTH_CARE", "Hospital & Health Care"),
    ("MECHANICAL_OR_INDUSTRIAL_ENGINEERING", "Mechanical or Industrial Engineering"),
    ("RETAIL", "Retail"),
    ("EDUCATION_MANAGEMENT", "Education Management"),
    ("MEDIA_PRODUCTION", "Media Production"),
    ("MARKETING_AND_ADVERTISING", "Marketing and Advertising"),
    ("LOGISTICS_AND_SUPPLY_CHAIN", "Logistics and Supply Chain"),
    ("TELECOMMUNICATIONS", "Telecommunications"),
)


@dataclass(frozen=True)
class ObjectType:
    """A CRM object type: its canonical plural name, ids and date properties."""

    name: str
    type_id: str
    singular: str
    created_property: str
    modified_property: str
    default_properties: tuple[str, ...]
    searchable: tuple[str, ...]

    @property
    def computed(self) -> frozenset[str]:
        return frozenset({"hs_object_id", self.created_property, self.modified_property})

    @property
    def is_engagement(self) -> bool:
        return self.name in ENGAGEMENT_TYPES


_ENGAGEMENT_DEFAULTS = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")
OBJECT_TYPES: dict[str, ObjectType] = {
    spec.name: spec
    for spec in (
        ObjectType(
            "contacts",
            "0-1",
            "contact",
            "createdate",
            "lastmodifieddate",
            ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
            ("firstname", "lastname", "email", "phone", "company", "hs_object_id"),
        ),
        ObjectType(
            "companies",
            "0-2",
            "company",
            "createdate",
            "hs_lastmodifieddate",
            ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
            ("name", "domain", "website", "phone", "hs_object_id"),
        ),
        ObjectType(
            "deals",
            "0-3",
            "deal",
            "createdate",
            "hs_lastmodifieddate",
            (
                "amount",
                "closedate",
                "createdate",
                "dealname",
                "dealstage",
                "hs_lastmodifieddate",
                "hs_object_id",
                "pipeline",
            ),
            ("dealname", "hs_object_id"),
        ),
        ObjectType(
            "calls",
            "0-48",
            "call",
            "hs_createdate",
            "hs_lastmodifieddate",
            _ENGAGEMENT_DEFAULTS,
            ("hs_call_title", "hs_call_body"),
        ),
        ObjectType(
            "emails",
            "0-49",
            "email",
            "hs_createdate",
            "hs_lastmodifieddate",
            _ENGAGEMENT_DEFAULTS,
            ("hs_email_subject", "hs_email_text"),
        ),
        ObjectType(
            "meetings",
            "0-47",
            "meeting",
            "hs_createdate",
            "hs_lastmodifieddate",
            _ENGAGEMENT_DEFAULTS,
            ("hs_meeting_title", "hs_meeting_body"),
        ),
        ObjectType(
            "notes",
            "0-46",
            "note",
            "hs_createdate",
            "hs_lastmodifieddate",
            _ENGAGEMENT_DEFAULTS,
            ("hs_note_body",),
        ),
        ObjectType(
            "leads",
            "0-136",
            "lead",
            "hs_createdate",
            "hs_lastmodifieddate",
            _ENGAGEMENT_DEFAULTS,
            ("hs_lead_name",),
        ),
        ObjectType(
            "tasks",
            "0-27",
            "task",
            "hs_createdate",
            "hs_lastmodifieddate",
            _ENGAGEMENT_DEFAULTS,
            ("hs_task_subject", "hs_task_body"),
        ),
    )
}
ENGAGEMENT_TYPES = ("calls", "emails", "meetings", "notes", "tasks")

_ALIASES: dict[str, str] = {}
for _spec in OBJECT_TYPES.values():
    for _alias in (_spec.name, _spec.singular, _spec.type_id):
        _ALIASES[_alias] = _spec.name


# The default lead pipeline (Sales Hub's Leads object, worked in the Prospecting workspace).
LEAD_PIPELINE = "lead-pipeline-id"
LEAD_STAGES = (
    ("new-stage-id", "New"),
    ("attempting-stage-id", "Attempting"),
    ("connected-stage-id", "Connected"),
    ("qualified-stage-id", "Qualified"),
    ("unqualified-stage-id", "Disqualified"),
)
LEAD_DISQUALIFICATION_REASONS = (
    ("NO_BUDGET", "No budget"),
    ("NO_AUTHORITY", "No authority"),
    ("NO_NEED", "No need"),
    ("BAD_TIMING", "Bad timing"),
    ("COMPETITOR", "Went with a competitor"),
)

# The default sales pipeline: each stage with HubSpot's metadata, its win probability and whether
# it closes the deal. `hs_is_closed` and `hs_is_closed_won` are calculated from the stage's metadata.
DEAL_PIPELINE = "default"
DEAL_STAGES = (
    ("appointmentscheduled", "Appointment Scheduled", 0.2, False),
    ("qualifiedtobuy", "Qualified To Buy", 0.4, False),
    ("presentationscheduled", "Presentation Scheduled", 0.6, False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", 0.8, False),
    ("contractsent", "Contract Sent", 0.9, False),
    ("closedwon", "Closed Won", 1.0, True),
    ("closedlost", "Closed Lost", 0.0, True),
)
CLOSED_DEAL_STAGES = {stage: probability == 1.0 for stage, _, probability, closed in DEAL_STAGES if closed}

# HubSpot's default call outcomes: stored on the call by these ids, shown to reps by label.
CALL_DISPOSITIONS = (
    ("9d9162e7-6cf3-4944-bf63-4dff82258764", "Busy"),
    ("f240bbac-87c9-4f6e-bf70-924b57d47db7", "Connected"),
    ("a4c4c377-d246-4b32-a13b-75a56a4cd0ff", "Left live message"),
    ("b2cf5968-551e-4856-9783-52b3da59a7d0", "Left voicemail"),
    ("73a0d17f-1163-4015-bdd5-ec830791da20", "No answer"),
    ("17b47fee-58de-441e-a44c-c6300d46f273", "Wrong number"),
)


def resolve_object_type(raw: str) -> ObjectType | None:
    """Accept ``contacts``, ``contact`` or ``0-1`` like HubSpot does."""
    name = _ALIASES.get(raw.lower())
    return OBJECT_TYPES[name] if name is not None else None


def _options(pairs: tuple[tuple[str, str], ...]) -> tuple[OptionDef, ...]:
    return tuple(
        OptionDef(label=label, value=value, display_order=index) for index, (value, label) in enumerate(pairs)
    )


def _prop(
    name: str,
    label: str,
    kind: str = "string",
    field_type: str | None = None,
    *,
    group: str,
    options: tuple[tuple[str, str], ...] = (),
    read_only: bool = False,
    form_field: bool = False,
) -> PropertyDef:
    default_field = {
        "string": "text",
        "number": "number",
        "enumeration": "select",
        "datetime": "date",
        "date": "date",
        "bool": "booleancheckbox",
    }[kind]
    return PropertyDef(
        name=name,
        label=label,
        type=kind,
        field_type=field_type or default_field,
        group_name=group,
        options=_options(options),
        hubspot_defined=True,
        read_only_value=read_only,
        form_field=form_field,
        created_at=_DEFINED_AT,
        updated_at=_DEFINED_AT,
    )


def _owner_prop(group: str) -> PropertyDef:
    return _prop("hubspot_owner_id", "Contact owner", "enumeration", group=group).with_changes(
        references_owner=True
    )


def _contact_properties() -> list[PropertyDef]:
    info = "contactinformation"
    analytics = "analyticsinformation"
    conversion = "conversioninformation"
    stage_dates = [
        _prop(
            f"hs_lifecyclestage_{value}_date",
            f"Became a {label} Date",
            "datetime",
            group=info,
            read_only=True,
        )
        for value, label in LIFECYCLE_STAGES
    ]
    return [
        _prop("email", "Email", group=info, form_field=True),
        _prop("hs_email_domain", "Email Domain", group=info, read_only=True),
        _prop("firstname", "First Name", group=info, form_field=True),
        _prop("lastname", "Last Name", group=info, form_field=True),
        _prop("jobtitle", "Job Title", group=info, form_field=True),
        _prop("company", "Company Name", group=info, form_field=True),
        _prop("website", "Website URL", group=info, form_field=True),
        _prop("phone", "Phone Number", field_type="phonenumber", group=info, form_field=True),
        _prop("mobilephone", "Mobile Phone Number", field_type="phonenumber", group=info),
        _prop("city", "City", group=info, form_field=True),
        _prop("state", "State/Region", group=info, form_field=True),
        _prop("country", "Country/Region", group=info, form_field=True),
        _prop("numemployees", "Number of Employees", group=info, form_field=True),
        _prop("message", "Message", field_type="textarea", group=info, form_field=True),
        _prop(
            "hs_lead_status",
            "Lead Status",
            "enumeration",
            "radio",
            group="sales_properties",
            options=LEAD_STATUSES,
        ),
        _prop(
            "lifecyclestage",
            "Lifecycle Stage",
            "enumeration",
            "radio",
            group=info,
            options=LIFECYCLE_STAGES,
        ),
        _owner_prop(info),
        _prop("associatedcompanyid", "Primary Associated Company ID", "number", group=info),
        _prop("createdate", "Create Date", "datetime", group=info, read_only=True),
        _prop("lastmodifieddate", "Last Modified Date", "datetime", group=info, read_only=True),
        _prop("hs_object_id", "Record ID", "number", group=info, read_only=True),
        _prop("hs_merged_object_ids", "Merged Contact IDs", "enumeration", group=info, read_only=True),
        _prop("notes_last_updated", "Last Activity Date", "datetime", group=info, read_only=True),
        _prop("hs_analytics_num_page_views", "Number of Pageviews", "number", group=analytics),
        _prop("hs_analytics_num_visits", "Number of Sessions", "number", group=analytics),
        _prop("hs_analytics_first_url", "First Page Seen", group=analytics),
        _prop("hs_analytics_last_url", "Last Page Seen", group=analytics),
        _prop(
            "hs_analytics_last_visit_timestamp",
            "Time of Last Session",
            "datetime",
            group=analytics,
        ),
        _prop(
            "hs_analytics_source",
            "Original Traffic Source",
            "enumeration",
            group=analytics,
            options=ANALYTICS_SOURCES,
        ),
        _prop("hs_analytics_source_data_1", "Original Traffic Source Drill-Down 1", group=analytics),
        _prop("recent_conversion_event_name", "Recent Conversion", group=conversion),
        _prop("recent_conversion_date", "Recent Conversion Date", "datetime", group=conversion),
        _prop("first_conversion_event_name", "First Conversion", group=conversion),
        _prop("first_conversion_date", "First Conversion Date", "datetime", group=conversion),
        _prop("num_conversion_events", "Number of Form Submissions", "number", group=conversion),
        *stage_dates,
    ]


def _company_properties() -> list[PropertyDef]:
    info = "companyinformation"
    return [
        _prop("name", "Company name", group=info),
        _prop("domain", "Company Domain Name", group=info),
        _prop("website", "Website URL", group=info),
        _prop("phone", "Phone Number", field_type="phonenumber", group=info),
        _prop("city", "City", group=info),
        _prop("country", "Country/Region", group=info),
        _prop("numberofemployees", "Number of Employees", "number", group=info),
        _prop("annualrevenue", "Annual Revenue", "number", group=info),
        _prop("industry", "Industry", "enumeration", group=info, options=INDUSTRIES),
        _prop(
            "lifecyclestage",
            "Lifecycle Stage",
            "enumeration",
            "radio",
            group=info,
            options=LIFECYCLE_STAGES,
        ),
        _owner_prop(info).with_changes(label="Company owner"),
        _prop("createdate", "Create Date", "datetime", group=info, read_only=True),
        _prop("hs_lastmodifieddate", "Last Modified Date", "datetime", group=info, read_only=True),
        _prop("hs_object_id", "Record ID", "number", group=info, read_only=True),
    ]


def _engagement_common(group: str) -> list[PropertyDef]:
    return [
        _prop("hs_timestamp", "Activity date", "datetime", group=group),
        _owner_prop(group).with_changes(label="Activity assigned to"),
        _prop("hs_createdate", "Create date", "datetime", group=group, read_only=True),
        _prop("hs_lastmodifieddate", "Last modified date", "datetime", group=group, read_only=True),
        _prop("hs_object_id", "Record ID", "number", group=group, read_only=True),
    ]


def _engagement_properties(kind: str) -> list[PropertyDef]:
    group = f"{kind[:-1]}information"
    specific: dict[str, list[PropertyDef]] = {
        "calls": [
            _prop("hs_call_title", "Call title", group=group),
            _prop("hs_call_body", "Call notes", field_type="html", group=group),
            _prop(
                "hs_call_direction",
                "Call direction",
                "enumeration",
                group=group,
                options=(("INBOUND", "Inbound"), ("OUTBOUND", "Outbound")),
            ),
            _prop(
                "hs_call_disposition",
                "Call outcome",
                "enumeration",
                group=group,
                options=CALL_DISPOSITIONS,
            ),
            _prop("hs_call_duration", "Call duration", "number", group=group),
            _prop(
                "hs_call_status",
                "Call status",
                "enumeration",
                group=group,
                options=tuple(
                    (value, value.replace("_", " ").title())
                    for value in (
                        "BUSY",
                        "CALLING_CRM_USER",
                        "CANCELED",
                        "COMPLETED",
                        "CONNECTING",
                        "FAILED",
                        "IN_PROGRESS",
                        "NO_ANSWER",
                        "QUEUED",
                        "RINGING",
                    )
                ),
            ),
        ],
        "emails": [
            _prop(
                "hs_email_direction",
                "Email direction",
                "enumeration",
                group=group,
                options=(
                    ("EMAIL", "Sent by owner"),
                    ("INCOMING_EMAIL", "Reply from contact"),
                    ("FORWARDED_EMAIL", "Forwarded"),
                ),
            ),
            _prop("hs_email_subject", "Email subject", group=group),
            _prop("hs_email_text", "Email text", field_type="textarea", group=group),
            _prop(
                "hs_email_status",
                "Email send status",
                "enumeration",
                group=group,
                options=tuple(
                    (value, value.title()) for value in ("BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT")
                ),
            ),
        ],
        "meetings": [
            _prop("hs_meeting_title", "Meeting name", group=group),
            _prop("hs_meeting_body", "Meeting description", field_type="html", group=group),
            _prop("hs_meeting_start_time", "Start time", "datetime", group=group),
            _prop("hs_meeting_end_time", "End time", "datetime", group=group),
            _prop(
                "hs_meeting_outcome",
                "Meeting outcome",
                "enumeration",
                group=group,
                options=tuple(
                    (value, value.replace("_", " ").title())
                    for value in ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")
                ),
            ),
        ],
        "notes": [
            _prop("hs_note_body", "Note body", field_type="html", group=group),
        ],
        "tasks": [
            _prop("hs_task_subject", "Task title", group=group),
            _prop("hs_task_body", "Task notes", field_type="html", group=group),
            _prop(
                "hs_task_status",
                "Task status",
                "enumeration",
                group=group,
                options=tuple(
                    (value, value.replace("_", " ").title())
                    for value in ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")
                ),
            ),
            _prop(
                "hs_task_priority",
                "Priority",
                "enumeration",
                group=group,
                options=(("NONE", "None"), ("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High")),
            ),
            _prop(
                "hs_task_type",
                "Task type",
                "enumeration",
                group=group,
                options=(("CALL", "Call"), ("EMAIL", "Email"), ("TODO", "To-do")),
            ),
        ],
    }
    return _engagement_common(group) + specific[kind]


def _lead_properties() -> list[PropertyDef]:
    info = "leadinformation"
    entered = [
        _prop(
            f"hs_v2_date_entered_{value}", f"Date entered '{label} (Lead Pipeline)'", "datetime", group=info
        )
        for value, label in LEAD_STAGES
    ]
    return [
        _prop("hs_lead_name", "Lead name", group=info),
        _prop(
            "hs_lead_type",
            "Lead type",
            "enumeration",
            group=info,
            options=(("NEW_BUSINESS", "New Business"),),
        ),
        _prop(
            "hs_lead_label",
            "Lead label",
            "enumeration",
            group=info,
            options=(("HOT", "Hot"), ("WARM", "Warm"), ("COLD", "Cold")),
        ),
        _prop(
            "hs_pipeline", "Pipeline", "enumeration", group=info, options=((LEAD_PIPELINE, "Lead pipeline"),)
        ),
        _prop("hs_pipeline_stage", "Lead stage", "enumeration", group=info, options=LEAD_STAGES),
        _prop(
            "hs_lead_disqualification_reason",
            "Disqualification reason",
            "enumeration",
            group=info,
            options=LEAD_DISQUALIFICATION_REASONS,
        ),
        _owner_prop(info).with_changes(label="Lead owner"),
        _prop("hs_createdate", "Create date", "datetime", group=info, read_only=True),
        _prop("hs_lastmodifieddate", "Last modified date", "datetime", group=info, read_only=True),
        _prop("hs_object_id", "Record ID", "number", group=info, read_only=True),
        *entered,
    ]


def _deal_properties() -> list[PropertyDef]:
    info = "dealinformation"
    return [
        _prop("dealname", "Deal Name", group=info),
        _prop(
            "pipeline", "Pipeline", "enumeration", group=info, options=((DEAL_PIPELINE, "Sales Pipeline"),)
        ),
        _prop(
            "dealstage",
            "Deal Stage",
            "enumeration",
            group=info,
            options=tuple((value, label) for value, label, _, _ in DEAL_STAGES),
        ),
        _prop("amount", "Amount", "number", group=info),
        _prop("closedate", "Close Date", "datetime", group=info),
        _owner_prop(info).with_changes(label="Deal owner"),
        _prop("hs_is_closed", "Is Deal Closed?", "bool", group=info, read_only=True).with_changes(
            calculated=True
        ),
        _prop("hs_is_closed_won", "Is Closed Won", "bool", group=info, read_only=True).with_changes(
            calculated=True
        ),
        _prop("createdate", "Create Date", "datetime", group=info, read_only=True),
        _prop("hs_lastmodifieddate", "Last Modified Date", "datetime", group=info, read_only=True),
        _prop("hs_object_id", "Record ID", "number", group=info, read_only=True),
    ]


def standard_properties(object_type: str) -> list[PropertyDef]:
    if object_type == "contacts":
        return _contact_properties()
    if object_type == "deals":
        return _deal_properties()
    if object_type == "companies":
        return _company_properties()
    if object_type == "leads":
        return _lead_properties()
    return _engagement_properties(object_type)


def standard_groups(object_type: str) -> list[PropertyGroup]:
    names = sorted({prop.group_name for prop in standard_properties(object_type)})
    return [
        PropertyGroup(name=name, label=name.replace("_", " ").title(), display_order=index)
        for index, name in enumerate(names)
    ]
