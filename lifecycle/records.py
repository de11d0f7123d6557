"""Canonical, CRM-neutral records: what the engine knows about a lead.

Plain frozen dataclasses, because the engine builds and reads millions of them and must stay fast.
Their annotations carry the constraints (`employees >= 0`, aware datetimes), which pydantic's
`TypeAdapter` enforces at the boundaries that parse untrusted input (`lifecycle.codec`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from annotated_types import Ge
from pydantic import AwareDatetime, ConfigDict

from handoff.config.vocabulary import ActivityKind, Stage

NonNegativeInt = Annotated[int, Ge(0)]
NonNegativeFloat = Annotated[float, Ge(0)]

# Unknown keys in canonical input are typos ("employes"), not extensions: refuse them.
_STRICT_KEYS = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class Company:
    __pydantic_config__ = _STRICT_KEYS

    name: str | None = None
    domain: str | None = None
    employees: NonNegativeInt | None = None
    industry: str | None = None
    country: str | None = None
    region: str | None = None
    revenue: NonNegativeFloat | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """A lead as the CRM holds it, plus the rep's signals handoff reads back.

    `stage` is the exact stage (handoff's own field when present, else the CRM's mapped stage);
    `stage_entered_at` dates it, which the recycle cooldown needs. `accepted`, `rejected`,
    `disqualification_reason` and `evidence` are what the rep entered in the CRM.

    The rest dates the handoff so SLA clocks and escalation survive between evaluations:
    `owner_assigned_at` (when the current owner got the lead), `accepted_at`, the stage entries
    `mql_at`, `sal_at`, `sql_at`, and `escalated_from` (the owners an escalation took the lead
    from, oldest first). The runtime fills them from the previous decision or the CRM's own dates.
    """

    __pydantic_config__ = _STRICT_KEYS

    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    country: str | None = None
    source: str | None = None
    campaign: str | None = None
    company: Company = field(default_factory=Company)
    stage: Stage | None = None
    stage_entered_at: AwareDatetime | None = None
    lead_status: str | None = None
    accepted: bool = False
    rejected: bool = False
    disqualification_reason: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)
    owner_id: str | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    # When the CRM last saw an activity on the contact (a call, email, meeting or note logged):
    # a contact whose modification is handoff's own write, with no new activity, is an echo.
    activity_at: AwareDatetime | None = None
    custom: dict[str, str] = field(default_factory=dict)
    owner_assigned_at: AwareDatetime | None = None
    accepted_at: AwareDatetime | None = None
    mql_at: AwareDatetime | None = None
    sal_at: AwareDatetime | None = None
    sql_at: AwareDatetime | None = None
    escalated_from: tuple[str, ...] = ()
    # Values the CRM holds that handoff could not use, each naming the field and why
    # ("employees 'about fifty' is not a number, ignored"): shown with the decision, never guessed.
    problems: tuple[str, ...] = ()

    @property
    def email_domain(self) -> str | None:
        if not self.email or "@" not in self.email:
            return None
        return self.email.rpartition("@")[2].strip().lower() or None

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or (self.email or self.id)

    @property
    def company_domain(self) -> str | None:
        """The account this lead belongs to: the company's domain, else the email's."""
        domain = (self.company.domain or self.email_domain or "").strip().lower().removeprefix("www.")
        return domain or None

    @property
    def account(self) -> str | None:
        """The company's own domain, as accounts are matched (no fallback to the email's)."""
        domain = (self.company.domain or "").strip().lower().removeprefix("www.")
        return domain or None


@dataclass(frozen=True, slots=True)
class Activity:
    """Something a contact did, or a rep did to them (`owner_id` names the rep for sales touches)."""

    __pydantic_config__ = _STRICT_KEYS

    id: str
    kind: ActivityKind
    occurred_at: AwareDatetime
    owner_id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Deal:
    """What happened after the handoff: a CRM deal (a HubSpot deal, a Salesforce opportunity of a
    converted lead) associated with the lead. Outcomes close the loop: reports measure the funnel
    to opportunity and won, and backtests score a policy's MQL decision against them."""

    __pydantic_config__ = _STRICT_KEYS

    id: str
    created_at: AwareDatetime | None = None
    stage: str | None = None
    closed: bool = False
    won: bool = False
    amount: NonNegativeFloat | None = None
    close_date: AwareDatetime | None = None

    @property
    def opened_at(self) -> datetime | None:
        """When the deal made the lead an opportunity: its creation (or its close, if undated)."""
        return self.created_at or self.close_date

    @property
    def won_at(self) -> datetime | None:
        """When it was won (its close, or its creation if undated); None if not won or no date."""
        return (self.close_date or self.created_at) if self.won else None


@dataclass(frozen=True, slots=True)
class Absence:
    """A period a rep is away (holiday, sick leave): [start, end)."""

    __pydantic_config__ = _STRICT_KEYS

    start: AwareDatetime
    end: AwareDatetime


@dataclass(frozen=True, slots=True)
class Owner:
    """A CRM owner as the CRM knows them: a rep, or a queue (`queue = True`).

    Team, weight, capacity and working hours are the policy's (matched by email), not the CRM's,
    so each fact has one home. `active` is false for a deactivated user; `out_of_office` lists
    known absences.
    """

    __pydantic_config__ = _STRICT_KEYS

    id: str
    email: str | None = None
    name: str | None = None
    active: bool = True
    queue: bool = False
    out_of_office: tuple[Absence, ...] = ()

    def away(self, now: datetime) -> Absence | None:
        for absence in self.out_of_office:
            if absence.start <= now < absence.end:
                return absence
        return None

    @property
    def label(self) -> str:
        return self.email or self.name or self.id
