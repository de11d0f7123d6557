"""Who the company deals with: the accounts, the people who might become leads, and the reps.

Records the CRM holds (accounts, leads, reps) are named by the CRM's own ids, which the company
treats as opaque strings: it gets them back from the CRM when it creates them, or reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.terms import Industry


@dataclass(frozen=True)
class Account:
    """A company in the CRM that people work for; ``owner`` is the rep id of its account owner."""

    id: str
    name: str
    domain: str
    employees: int
    industry: Industry | None
    country: str
    owner: str | None


@dataclass(frozen=True)
class Person:
    """Someone who might become a lead, before they exist in the CRM.

    ``category`` is who they are to a B2B seller (``buyer``, ``practitioner``, ``personal``,
    ``low_fit``, ``competitor``, ``bad_data``); ``intent`` (0-3) how interested they are.
    """

    category: str
    email: str
    first_name: str
    last_name: str
    job_title: str
    country: str
    intent: int
    account: Account | None = None
    company_name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Rep:
    """A rep as the CRM lists them: its id for them, and their seat's team and time zone."""

    id: str
    email: str
    team: str
    timezone: str


def team_for(account: Account | None, country: str) -> str:
    """Which team would work this account: big ones go to Enterprise, Europe to EMEA."""
    if account is not None and account.employees >= 2000:
        return data.TEAM_ENTERPRISE
    return data.TEAM_EMEA if country in data.EMEA_COUNTRIES else data.TEAM_NORTH_AMERICA
