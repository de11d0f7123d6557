"""The words the policy and the engine share: stages, activity kinds, contact fields.

They live in `config` because the policy schema validates against them and `lifecycle` depends
on `config`, never the other way round.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Lifecycle stages, in the seeds' vocabulary."""

    SUBSCRIBER = "subscriber"
    LEAD = "lead"
    MQL = "mql"
    SAL = "sal"
    SQL = "sql"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    RECYCLED = "recycled"
    DISQUALIFIED = "disqualified"


# Forward order of the funnel. Recycled and disqualified sit outside it: they are the only
# way back, and each entry into them is a rep's decision with a reason.
FUNNEL_ORDER: dict[Stage, int] = {
    Stage.SUBSCRIBER: 0,
    Stage.LEAD: 1,
    Stage.MQL: 2,
    Stage.SAL: 3,
    Stage.SQL: 4,
    Stage.OPPORTUNITY: 5,
    Stage.CUSTOMER: 6,
}

# Stages the CRM owns (a deal exists or was won); handoff mirrors them and never moves them.
CRM_OWNED_STAGES = frozenset({Stage.OPPORTUNITY, Stage.CUSTOMER})


class ActivityKind(StrEnum):
    """What a contact (or a rep, for the sales touches) did; the CRM-to-kind mapping is configuration."""

    PAGE_VIEW = "page_view"
    FORM_SUBMISSION = "form_submission"
    DEMO_REQUEST = "demo_request"
    CONTACT_REQUEST = "contact_request"
    TRIAL_SIGNUP = "trial_signup"
    CONTENT_DOWNLOAD = "content_download"
    WEBINAR_REGISTERED = "webinar_registered"
    WEBINAR_ATTENDED = "webinar_attended"
    NEWSLETTER_SIGNUP = "newsletter_signup"
    EMAIL_OPEN = "email_open"
    EMAIL_CLICK = "email_click"
    EMAIL_REPLY = "email_reply"
    EMAIL_SENT = "email_sent"
    SOCIAL_FOLLOW = "social_follow"
    CHAT = "chat"
    CALL = "call"
    MEETING = "meeting"
    NOTE = "note"


# Activities a rep performs: they prove a first touch, they never score the lead.
SALES_TOUCH_KINDS = frozenset({ActivityKind.CALL, ActivityKind.EMAIL_SENT, ActivityKind.MEETING})

# Contact fields a fit rule may test; `custom.<name>` reaches any extra CRM property.
FIT_FIELDS = (
    "contact.email",
    "contact.email_domain",
    "contact.first_name",
    "contact.last_name",
    "contact.title",
    "contact.country",
    "contact.source",
    "contact.campaign",
    "company.name",
    "company.domain",
    "company.employees",
    "company.industry",
    "company.country",
    "company.region",
    "company.revenue",
)
CUSTOM_FIELD_PREFIX = "custom."
