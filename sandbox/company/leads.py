"""The people the world draws: who a lead is, where they work, what they browse and which form
brings them in. Shared by the seeded history and the simulation, so new leads look like old ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.draws import seeded_uuid, weighted_choice
from handoff.sandbox.company.events import PageView
from handoff.sandbox.company.people import Account, Person
from handoff.sandbox.kit.clock import to_ms


class LeadFactory:
    """Draws people from the world's pools; ``email_in_use`` asks the CRM, so that a new person
    never takes the email of a lead it already holds."""

    def __init__(
        self, rng: random.Random, email_in_use: Callable[[str], bool], accounts: list[Account]
    ) -> None:
        self.rng = rng
        self.email_in_use = email_in_use
        self.accounts = [a for a in accounts if a.domain not in _COMPETITOR_DOMAINS]
        self.competitors = [a for a in accounts if a.domain in _COMPETITOR_DOMAINS]
        self._used: set[str] = set()

    def make(self, category: str | None = None) -> Person:
        rng = self.rng
        category = category or weighted_choice(rng, _CATEGORY_WEIGHTS)
        first = rng.choice(data.FIRST_NAMES)
        last = rng.choice(data.LAST_NAMES)
        account: Account | None = None
        intent = rng.choices((0, 1, 2, 3), weights=(25, 35, 27, 13))[0]
        if category in ("buyer", "practitioner"):
            account = rng.choice(self.accounts)
            titles = data.BUYER_TITLES if category == "buyer" else data.PRACTITIONER_TITLES
            title = rng.choice(titles)
            email = self._email(first, last, account.domain)
            return Person(
                category,
                email,
                first,
                last,
                title,
                account.country,
                intent,
                account,
                account.name,
                self._phone(account.country),
            )
        if category == "competitor" and self.competitors:
            account = rng.choice(self.competitors)
            title = rng.choice(data.PRACTITIONER_TITLES + data.BUYER_TITLES)
            email = self._email(first, last, account.domain)
            return Person(category, email, first, last, title, "US", 3, account, account.name)
        country = weighted_choice(rng, data.COUNTRY_WEIGHTS)
        domain = rng.choice(data.PERSONAL_DOMAINS)
        if category == "low_fit":
            title = rng.choice(data.LOW_FIT_TITLES)
            return Person(category, self._email(first, last, domain), first, last, title, country, intent)
        if category == "bad_data":
            return self._bad_data(country)
        title = rng.choice(("", "", "Consultant", "Founder", "Manager", "Owner"))
        company_name = rng.choice(("", "", "Self-employed", f"{last} & Co"))
        return Person(
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

    def _bad_data(self, country: str) -> Person:
        rng = self.rng
        junk = rng.choice(("asdf", "test", "qwerty", "none", "xxx", "aaa"))
        domain = rng.choice(data.JUNK_DOMAINS)
        email = self._unique(f"{junk}{rng.randrange(1, 999)}@{domain}")
        first = rng.choice((junk, junk.title(), "Mickey", "a", "Test"))
        last = rng.choice((junk, "", "Mouse", "Test", "."))
        return Person("bad_data", email, first, last, rng.choice(data.BAD_TITLES), country, 0, None, "none")

    def _email(self, first: str, last: str, domain: str) -> str:
        f, l_ = data.ascii_slug(first), data.ascii_slug(last)
        pattern = self.rng.choice((f"{f}.{l_}", f"{f[0]}{l_}", f"{f}", f"{f}{l_}"))
        return self._unique(f"{pattern}@{domain}")

    def _unique(self, email: str) -> str:
        local, _, domain = email.partition("@")
        candidate, counter = email, 1
        while candidate in self._used or self.email_in_use(candidate):
            counter += 1
            candidate = f"{local}{counter}@{domain}"
        self._used.add(candidate)
        return candidate

    def _phone(self, country: str) -> str:
        if self.rng.random() < 0.4:
            return ""
        prefix = {"US": "+1", "CA": "+1", "GB": "+44", "DE": "+49", "FR": "+33"}.get(country, "+1")
        return f"{prefix} {self.rng.randrange(200, 999)} {self.rng.randrange(1000000, 9999999)}"

    def pages(self, person: Person) -> list[str]:
        """The URLs this person would browse, by who they are and how interested."""
        rng = self.rng
        counts = {0: (0, 2), 1: (1, 5), 2: (3, 10), 3: (6, 18)}[person.intent]
        count = rng.randint(*counts)
        pools: list[tuple[tuple[str, ...], int]]
        if person.category == "low_fit":
            pools = [(data.BLOG_POSTS, 5), (data.CAREER_PAGES, 4), (data.OTHER_PAGES, 1)]
        elif person.category == "competitor":
            pools = [(data.HIGH_INTENT_PAGES, 5), (data.PRODUCT_PAGES, 4), (data.BLOG_POSTS, 1)]
        elif person.intent >= 3:
            pools = [(data.HIGH_INTENT_PAGES, 4), (data.PRODUCT_PAGES, 4), (data.BLOG_POSTS, 2)]
        elif person.intent == 2:
            pools = [(data.PRODUCT_PAGES, 4), (data.BLOG_POSTS, 4), (data.HIGH_INTENT_PAGES, 1)]
        else:
            pools = [(data.BLOG_POSTS, 6), (data.OTHER_PAGES, 3), (data.CAREER_PAGES, 1)]
        choices = [pool for pool, _ in pools]
        weights = [weight for _, weight in pools]
        return [data.SITE + rng.choice(rng.choices(choices, weights)[0]) for _ in range(count)]

    def first_form(self, person: Person) -> str | None:
        """The form that made this person a lead (``None``: imported from a list)."""
        rng = self.rng
        if person.category in ("buyer", "practitioner") and person.intent >= 3:
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


def page_view(rng: random.Random, url: str, at: datetime) -> PageView:
    """A view of ``url`` at ``at`` (drawn by the caller first), with its id and referrer."""
    return PageView(id=seeded_uuid(rng), at=to_ms(at), url=url, referrer=rng.choice(data.REFERRERS) or None)
