"""People and accounts the synthetic world draws from: who a lead is, where they work, what
they browse and which form brings them in. Shared by the seeded history and the simulation, so new
leads look like old ones.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime

from handoff.sandbox.hubspot import world_data as data
from handoff.sandbox.hubspot.analytics import PAGE_VIEW, WebEvent
from handoff.sandbox.hubspot.state import SandboxState
from handoff.sandbox.kit.clock import to_ms


@dataclass(frozen=True)
class CompanyInfo:
    id: str
    name: str
    domain: str
    employees: int
    industry: str
    country: str
    owner_id: str | None


@dataclass(frozen=True)
class LeadSpec:
    """A person who might become a lead, before they exist in the CRM."""

    category: str
    email: str
    firstname: str
    lastname: str
    jobtitle: str
    country: str
    intent: int
    company: CompanyInfo | None = None
    company_name: str = ""
    phone: str = ""

    def form_values(self) -> dict[str, str]:
        values = {"email": self.email, "firstname": self.firstname, "lastname": self.lastname}
        if self.jobtitle:
            values["jobtitle"] = self.jobtitle
        if self.company_name:
            values["company"] = self.company_name
        return values


def seeded_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return to_ms(start)
    return to_ms(start + (end - start) * rng.random())


def company_directory(state: SandboxState) -> list[CompanyInfo]:
    with state.locked():
        return [
            CompanyInfo(
                id=str(record.id),
                name=record.values.get("name", ""),
                domain=record.values.get("domain", ""),
                employees=int(float(record.values.get("numberofemployees", "0") or 0)),
                industry=record.values.get("industry", ""),
                country=record.values.get("country", ""),
                owner_id=record.values.get("hubspot_owner_id"),
            )
            for record in state.raw_records("companies")
            if not record.archived
        ]


def team_for(company: CompanyInfo | None, country: str) -> str:
    """Which team would work this account: big ones go to Enterprise, Europe to EMEA."""
    if company is not None and company.employees >= 2000:
        return data.TEAM_ENTERPRISE
    return data.TEAM_EMEA if country in data.EMEA_COUNTRIES else data.TEAM_NORTH_AMERICA


def weighted_choice(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class LeadFactory:
    """Draws people from the world's pools; shared by seeding and the simulation."""

    def __init__(self, rng: random.Random, state: SandboxState, companies: list[CompanyInfo]) -> None:
        self.rng = rng
        self.state = state
        self.companies = [c for c in companies if c.domain not in _COMPETITOR_DOMAINS]
        self.competitors = [c for c in companies if c.domain in _COMPETITOR_DOMAINS]
        self._used: set[str] = set()

    def make(self, category: str | None = None) -> LeadSpec:
        rng = self.rng
        category = category or weighted_choice(rng, _CATEGORY_WEIGHTS)
        first = rng.choice(data.FIRST_NAMES)
        last = rng.choice(data.LAST_NAMES)
        company: CompanyInfo | None = None
        intent = rng.choices((0, 1, 2, 3), weights=(25, 35, 27, 13))[0]
        if category in ("buyer", "practitioner"):
            company = rng.choice(self.companies)
            titles = data.BUYER_TITLES if category == "buyer" else data.PRACTITIONER_TITLES
            title = rng.choice(titles)
            email = self._email(first, last, company.domain)
            return LeadSpec(
                category,
                email,
                first,
                last,
                title,
                company.country,
                intent,
                company,
                company.name,
                self._phone(company.country),
            )
        if category == "competitor" and self.competitors:
            company = rng.choice(self.competitors)
            title = rng.choice(data.PRACTITIONER_TITLES + data.BUYER_TITLES)
            email = self._email(first, last, company.domain)
            return LeadSpec(category, email, first, last, title, "US", 3, company, company.name)
        country = weighted_choice(rng, data.COUNTRY_WEIGHTS)
        domain = rng.choice(data.PERSONAL_DOMAINS)
        if category == "low_fit":
            title = rng.choice(data.LOW_FIT_TITLES)
            return LeadSpec(category, self._email(first, last, domain), first, last, title, country, intent)
        if category == "bad_data":
            return self._bad_data(country)
        title = rng.choice(("", "", "Consultant", "Founder", "Manager", "Owner"))
        company_name = rng.choice(("", "", "Self-employed", f"{last} & Co"))
        return LeadSpec(
            "personal",
            self._email(first, last, domain),
            first,
            last,
            title,
            country,
            intent,
            None,
            company_name,
        )

    def _bad_data(self, country: str) -> LeadSpec:
        rng = self.rng
        junk = rng.choice(("asdf", "test", "qwerty", "none", "xxx", "aaa"))
        domain = rng.choice(("asdf.com", "test.com", "example.org", "mailinator.com"))
        email = self._unique(f"{junk}{rng.randrange(1, 999)}@{domain}")
        first = rng.choice((junk, junk.title(), "Mickey", "a", "Test"))
        last = rng.choice((junk, "", "Mouse", "Test", "."))
        return LeadSpec("bad_data", email, first, last, rng.choice(data.BAD_TITLES), country, 0, None, "none")

    def _email(self, first: str, last: str, domain: str) -> str:
        f, l_ = data.ascii_slug(first), data.ascii_slug(last)
        pattern = self.rng.choice((f"{f}.{l_}", f"{f[0]}{l_}", f"{f}", f"{f}{l_}"))
        return self._unique(f"{pattern}@{domain}")

    def _unique(self, email: str) -> str:
        local, _, domain = email.partition("@")
        candidate, counter = email, 1
        while candidate in self._used or self.state.contact_id_for_email(candidate) is not None:
            counter += 1
            candidate = f"{local}{counter}@{domain}"
        self._used.add(candidate)
        return candidate

    def _phone(self, country: str) -> str:
        if self.rng.random() < 0.4:
            return ""
        prefix = {"US": "+1", "CA": "+1", "GB": "+44", "DE": "+49", "FR": "+33"}.get(country, "+1")
        return f"{prefix} {self.rng.randrange(200, 999)} {self.rng.randrange(1000000, 9999999)}"

    def pages(self, spec: LeadSpec) -> list[str]:
        """The URLs this person would browse, by who they are and how interested."""
        rng = self.rng
        counts = {0: (0, 2), 1: (1, 5), 2: (3, 10), 3: (6, 18)}[spec.intent]
        count = rng.randint(*counts)
        pools: list[tuple[tuple[str, ...], int]]
        if spec.category == "low_fit":
            pools = [(data.BLOG_POSTS, 5), (data.CAREER_PAGES, 4), (data.OTHER_PAGES, 1)]
        elif spec.category == "competitor":
            pools = [(data.HIGH_INTENT_PAGES, 5), (data.PRODUCT_PAGES, 4), (data.BLOG_POSTS, 1)]
        elif spec.intent >= 3:
            pools = [(data.HIGH_INTENT_PAGES, 4), (data.PRODUCT_PAGES, 4), (data.BLOG_POSTS, 2)]
        elif spec.intent == 2:
            pools = [(data.PRODUCT_PAGES, 4), (data.BLOG_POSTS, 4), (data.HIGH_INTENT_PAGES, 1)]
        else:
            pools = [(data.BLOG_POSTS, 6), (data.OTHER_PAGES, 3), (data.CAREER_PAGES, 1)]
        choices = [pool for pool, _ in pools]
        weights = [weight for _, weight in pools]
        return [data.SITE + rng.choice(rng.choices(choices, weights)[0]) for _ in range(count)]

    def first_form(self, spec: LeadSpec) -> str | None:
        """The form that made this person a contact (``None``: imported from a list)."""
        rng = self.rng
        if spec.category in ("buyer", "practitioner") and spec.intent >= 3:
            return rng.choices(
                (data.FORM_DEMO, data.FORM_CONTACT_SALES, data.FORM_TRIAL, *data.DOWNLOAD_FORMS),
                weights=(5, 2, 3, 1, 1, 2, 1, 1),
            )[0]
        if rng.random() < 0.06:
            return None
        pool = (*data.DOWNLOAD_FORMS, *data.WEBINAR_FORMS, data.FORM_NEWSLETTER, data.FORM_TRIAL)
        return rng.choices(pool, weights=(4, 2, 3, 2, 3, 3, 2, 1, 4, 1))[0]


_COMPETITOR_DOMAINS = frozenset(domain for _, domain in data.COMPETITORS)
_CATEGORY_WEIGHTS = {
    "buyer": 28,
    "practitioner": 32,
    "personal": 22,
    "low_fit": 9,
    "competitor": 3,
    "bad_data": 6,
}


def page_view(rng: random.Random, contact_id: int, url: str, at: datetime) -> WebEvent:
    return WebEvent(
        id=seeded_uuid(rng),
        contact_id=contact_id,
        event_type=PAGE_VIEW,
        occurred_at=to_ms(at),
        url=url,
        referrer=rng.choice(data.REFERRERS) or None,
    )
