"""The CRM-neutral words the company's events are written in.

Each CRM renderer maps them onto its own vocabulary (HubSpot's lifecycle stages, lead statuses,
analytics sources and industries; Salesforce's picklists). The order of every enumeration is part
of the seeded world: the company draws from them by position.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Where a person or an account stands in the funnel."""

    SUBSCRIBER = "subscriber"
    LEAD = "lead"
    MQL = "mql"
    SQL = "sql"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"


class LeadStatus(StrEnum):
    """What the rep working a lead says about it."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    ATTEMPTED = "attempted"
    CONNECTED = "connected"
    OPEN_DEAL = "open_deal"
    UNQUALIFIED = "unqualified"


class Channel(StrEnum):
    """How a person first found the company."""

    ORGANIC_SEARCH = "organic_search"
    PAID_SEARCH = "paid_search"
    SOCIAL_MEDIA = "social_media"
    REFERRALS = "referrals"
    DIRECT_TRAFFIC = "direct_traffic"
    EMAIL_MARKETING = "email_marketing"
    PAID_SOCIAL = "paid_social"
    OFFLINE = "offline"


class Industry(StrEnum):
    SOFTWARE = "software"
    INTERNET = "internet"
    IT_SERVICES = "it_services"
    FINANCIAL_SERVICES = "financial_services"
    BANKING = "banking"
    INSURANCE = "insurance"
    HEALTH_CARE = "health_care"
    ENGINEERING = "engineering"
    RETAIL = "retail"
    EDUCATION = "education"
    MEDIA = "media"
    MARKETING = "marketing"
    LOGISTICS = "logistics"
    TELECOMMUNICATIONS = "telecommunications"


class FormField(StrEnum):
    """A field a web form asks for."""

    EMAIL = "email"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    COMPANY = "company"
    JOB_TITLE = "job_title"
    PHONE = "phone"
    COUNTRY = "country"
    EMPLOYEES = "employees"
    MESSAGE = "message"


class Evidence(StrEnum):
    """The qualification evidence a rep documents (BANT), in the order reps consider it."""

    NEED = "need"
    AUTHORITY = "authority"
    TIMELINE = "timeline"
    BUDGET = "budget"


class FieldKind(StrEnum):
    """What kind of value a CRM field holds, as far as a rep filling it in cares."""

    FLAG = "flag"
    CHOICE = "choice"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    TEXT = "text"
