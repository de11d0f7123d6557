"""The company's past, written into an empty CRM: "Acme Analytics", deterministic for a seed.

A sales team (12 reps in three teams, a queue and a former rep), its web forms, ~150 accounts, and
leads across every fit level with the history a scoring engine reads: page views, form
submissions, newsletter engagement and, for leads already worked, the reps' calls, emails,
meetings and notes. Nothing of handoff's exists yet: that is for ``handoff setup`` to create.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.draws import between, deal_amount, keyed_rng, seeded_uuid, weighted_choice
from handoff.sandbox.company.events import (
    AccountOpened,
    Activity,
    BrowsingSummarised,
    CallLogged,
    DealClosed,
    DealOpened,
    EmailClicked,
    EmailLogged,
    EmailOpened,
    FormPublished,
    FormSubmitted,
    LeadArrived,
    LeadAssigned,
    LeadImported,
    LeadReplied,
    LeadStaged,
    MeetingLogged,
    NoteLogged,
    PagesViewed,
    QueueOpened,
    RepJoined,
    TeamFormed,
)
from handoff.sandbox.company.leads import LeadFactory, page_view
from handoff.sandbox.company.people import Account, Person, Rep, team_for
from handoff.sandbox.company.port import CrmPort
from handoff.sandbox.company.terms import Channel, FormField, Industry, LeadStatus, Stage
from handoff.sandbox.kit.clock import to_ms

_FIELDS = (FormField.EMAIL, FormField.FIRST_NAME, FormField.LAST_NAME, FormField.COMPANY, FormField.JOB_TITLE)
_SALES_FIELDS = (FormField.PHONE, FormField.COUNTRY, FormField.EMPLOYEES, FormField.MESSAGE)
# Channels in proportion: organic search twice as likely as each of the others.
_CHANNELS = (
    Channel.ORGANIC_SEARCH,
    Channel.ORGANIC_SEARCH,
    Channel.PAID_SEARCH,
    Channel.SOCIAL_MEDIA,
    Channel.REFERRALS,
    Channel.DIRECT_TRAFFIC,
    Channel.EMAIL_MARKETING,
    Channel.PAID_SOCIAL,
)
_OUTCOMES = ("working", "sql", "opportunity", "customer", "unqualified", "mql")
_OUTCOME_STAGES = {
    "working": Stage.LEAD,
    "sql": Stage.SQL,
    "opportunity": Stage.OPPORTUNITY,
    "customer": Stage.CUSTOMER,
    "unqualified": Stage.LEAD,
    "mql": Stage.MQL,
}


@dataclass(frozen=True)
class History:
    """What was written, by the CRM's ids: reps in seat order, teams and forms by name."""

    now: datetime
    reps: tuple[Rep, ...]
    teams: dict[str, str]
    queue_id: str
    former_rep_id: str
    forms: dict[str, str]
    account_ids: tuple[str, ...]
    lead_ids: tuple[str, ...]


class _Chronicle:
    def __init__(self, crm: CrmPort, seed: int, now: datetime, history: timedelta) -> None:
        self.crm = crm
        self.rng = random.Random(f"acme-world:{seed}")
        self.seed = seed
        self.now = to_ms(now)
        self.start = self.now - history
        self._ids: set[int] = set()

    def _number(self, low: int, high: int) -> int:
        while True:
            value = self.rng.randrange(low, high)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def team(self) -> tuple[tuple[Rep, ...], dict[str, str], str, str]:
        created = self.now - timedelta(days=730)
        teams = {
            name: self.crm.create(TeamFormed(created, name, self._number(100_000, 999_999)))
            for name in data.TEAMS
        }
        reps = tuple(
            Rep(self._rep(seat, teams[seat.team], created), seat.email, seat.team, seat.timezone)
            for seat in data.REPS
        )
        former = self._rep(
            data.FORMER_REP, teams[data.FORMER_REP.team], created, left_at=self.now - timedelta(days=40)
        )
        queue = self.crm.create(QueueOpened(created, data.QUEUE_NAME, self._number(10_000_000, 99_999_999)))
        return reps, teams, queue, former

    def _rep(
        self, seat: data.RepSeat, team_id: str, created: datetime, *, left_at: datetime | None = None
    ) -> str:
        user_number = self._number(1_000_000, 9_999_999)
        number = self._number(10_000_000, 99_999_999)
        return self.crm.create(RepJoined(created, seat, team_id, number, user_number, left_at))

    def forms(self) -> dict[str, str]:
        created = self.now - timedelta(days=400)
        ids: dict[str, str] = {}
        for index, name in enumerate(data.ALL_FORMS):
            fields: tuple[FormField, ...] = _FIELDS
            if name in (data.FORM_DEMO, data.FORM_CONTACT_SALES):
                fields = (*fields, *_SALES_FIELDS)
            elif name == data.FORM_NEWSLETTER:
                fields = (FormField.EMAIL, FormField.FIRST_NAME)
            makes = Stage.SUBSCRIBER if name == data.FORM_NEWSLETTER else Stage.LEAD
            at = created + timedelta(hours=index)
            ids[name] = self.crm.create(FormPublished(at, seeded_uuid(self.rng), name, fields, makes))
        return ids

    def accounts(self, count: int, reps: Sequence[Rep]) -> list[Account]:
        rng = self.rng
        made: list[Account] = []
        used: set[str] = set()
        for name, domain in data.COMPETITORS:
            made.append(
                self._account(
                    name, domain, industry=Industry.SOFTWARE, employees=80, country="US", owner=None
                )
            )
        while len(made) < count:
            industry = weighted_choice(rng, data.INDUSTRY_WEIGHTS)
            name = f"{rng.choice(data.COMPANY_PREFIXES)} {rng.choice(data.INDUSTRY_SUFFIXES[industry])}"
            if name in used:
                continue
            used.add(name)
            domain = data.ascii_slug(name.replace("&", "and")) + ".example"
            employees = self._employees()
            country = weighted_choice(rng, data.COUNTRY_WEIGHTS)
            owner: str | None = None
            if rng.random() < 0.25:
                candidates = [r for r in reps if r.team == team_for(None, country)]
                if employees >= 2000:
                    candidates = [r for r in reps if r.team == data.TEAM_ENTERPRISE]
                owner = rng.choice(candidates).id
            made.append(
                self._account(
                    name, domain, industry=industry, employees=employees, country=country, owner=owner
                )
            )
        owned = [a for a in made if a.owner is not None]
        for original in owned[:4]:
            assert original.industry is not None
            made.append(
                self._account(
                    f"{original.name} Ltd",
                    original.domain,
                    industry=original.industry,
                    employees=original.employees,
                    country=original.country,
                    owner=None,
                )
            )
        return made

    def _employees(self) -> int:
        low, high = self.rng.choices(
            ((5, 49), (50, 500), (501, 5000), (5001, 20000)), weights=(25, 45, 20, 10)
        )[0]
        return self.rng.randint(low, high)

    def _account(
        self,
        name: str,
        domain: str,
        *,
        industry: Industry,
        employees: int,
        country: str,
        owner: str | None,
    ) -> Account:
        revenue = employees * self.rng.randrange(90_000, 320_000)
        city = self.rng.choice(data.CITIES[country])
        stage = Stage.LEAD
        if owner is not None:
            stage = self.rng.choice((Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.CUSTOMER))
        at = between(self.rng, self.start - timedelta(days=365), self.start)
        opened = AccountOpened(
            at,
            name,
            domain,
            f"https://www.{domain}",
            industry,
            employees,
            revenue,
            country,
            city,
            stage,
            owner,
        )
        return Account(self.crm.create(opened), name, domain, employees, industry, country, owner)

    def leads(self, count: int, accounts: list[Account], reps: Sequence[Rep]) -> list[str]:
        factory = LeadFactory(self.rng, self.crm.email_in_use, accounts)
        span = (self.now - timedelta(hours=1)) - self.start
        moments = sorted(self.start + span * self.rng.random() for _ in range(count))
        return [self._lead(factory, factory.make(), to_ms(created), reps) for created in moments]

    def _lead(self, factory: LeadFactory, person: Person, created: datetime, reps: Sequence[Rep]) -> str:
        rng = self.rng
        first_form = factory.first_form(person)
        country = person.country
        if person.category != "bad_data" and rng.random() < 0.1 and country in data.COUNTRY_NAMES:
            country = data.COUNTRY_NAMES[country]
        given = country if country and rng.random() < 0.9 else None
        if first_form is None:
            lead = self.crm.create(LeadImported(created, person, given, person.phone, Channel.OFFLINE))
        else:
            channel = rng.choice(_CHANNELS)
            page = data.SITE + data.FORM_PAGES.get(first_form, "/resources")
            arrived = LeadArrived(
                created, person, first_form, seeded_uuid(rng), page, given, person.phone, channel
            )
            lead = self.crm.create(arrived)
        later: list[tuple[datetime, Activity]] = []
        self._browsing(factory, person, lead, created, later)
        self._later_conversions(person, lead, created, later)
        self._newsletters(person, lead, created)
        self._sales(person, lead, created, reps, later)
        for _, event in sorted(later, key=lambda pair: pair[0]):
            self.crm.apply(event)
        return lead

    def _browsing(
        self,
        factory: LeadFactory,
        person: Person,
        lead: str,
        created: datetime,
        later: list[tuple[datetime, Activity]],
    ) -> None:
        urls = factory.pages(person)
        if not urls:
            return
        rng = self.rng
        early = created - timedelta(days=rng.randint(1, 30))
        views = tuple(page_view(rng, url, between(rng, early, self.now)) for url in urls)
        self.crm.apply(PagesViewed(lead, views, backfilled=True))
        last = max(views, key=lambda view: view.at)
        first = min(views, key=lambda view: view.at)
        moment = max(last.at, created)
        summary = BrowsingSummarised(
            moment, lead, len(views), max(1, len(views) // 3), first.url, last.url, last.at
        )
        later.append((moment, summary))

    def _later_conversions(
        self, person: Person, lead: str, created: datetime, later: list[tuple[datetime, Activity]]
    ) -> None:
        rng = self.rng
        extra_count = rng.choices((0, 1, 2), weights=(55, 30, 15))[0] if person.intent >= 1 else 0
        for _ in range(extra_count):
            name = rng.choice((*data.DOWNLOAD_FORMS, *data.WEBINAR_FORMS))
            if person.intent >= 3 and rng.random() < 0.3:
                name = rng.choice((data.FORM_DEMO, data.FORM_CONTACT_SALES))
            at = between(rng, created + timedelta(hours=1), self.now)
            conversion = seeded_uuid(rng)
            page = data.SITE + data.FORM_PAGES.get(name, "/resources")
            later.append((at, FormSubmitted(at, lead, name, conversion, page)))

    def _newsletters(self, person: Person, lead: str, created: datetime) -> None:
        rng = self.rng
        if person.category == "bad_data" or rng.random() < 0.3:
            return
        for name in data.NEWSLETTERS:
            sent = between(rng, created, self.now)
            if sent >= self.now or rng.random() < 0.4:
                continue
            opened = between(rng, sent, min(self.now, sent + timedelta(days=2)))
            self.crm.apply(EmailOpened(opened, lead, seeded_uuid(rng), name))
            if rng.random() < 0.25 + 0.1 * person.intent:
                url = data.SITE + rng.choice(data.BLOG_POSTS + data.PRODUCT_PAGES)
                clicked = between(rng, opened, min(self.now, opened + timedelta(hours=2)))
                self.crm.apply(EmailClicked(clicked, lead, seeded_uuid(rng), name, url))

    def _sales(
        self,
        person: Person,
        lead: str,
        created: datetime,
        reps: Sequence[Rep],
        later: list[tuple[datetime, Activity]],
    ) -> None:
        """Leads worked before handoff arrived: owner, lead status, stage, activities."""
        rng = self.rng
        roll = rng.random()
        fit = person.category in ("buyer", "practitioner")
        if (not fit and roll > 0.03) or (fit and roll > 0.22):
            return
        owner = person.account.owner if person.account is not None else None
        rep = next((r for r in reps if r.id == owner), None) if owner is not None else None
        if rep is None:
            team = team_for(person.account, person.country)
            rep = rng.choice([r for r in reps if r.team == team])
        assigned = between(rng, created + timedelta(hours=1), created + timedelta(days=3))
        if assigned >= self.now:
            return
        outcome = rng.choices(_OUTCOMES, weights=(30, 15, 12, 12, 12, 19) if fit else (10, 0, 0, 0, 90, 0))[0]
        working = rng.choice((LeadStatus.IN_PROGRESS, LeadStatus.ATTEMPTED, LeadStatus.CONNECTED))
        status = {
            "working": working,
            "sql": LeadStatus.CONNECTED,
            "opportunity": LeadStatus.OPEN_DEAL,
            "customer": LeadStatus.OPEN_DEAL,
            "unqualified": LeadStatus.UNQUALIFIED,
            "mql": LeadStatus.NEW,
        }[outcome]
        later.append((assigned, LeadAssigned(assigned, lead, rep.id, status)))
        staged = between(rng, assigned, min(self.now, assigned + timedelta(days=20)))
        later.append((staged, LeadStaged(staged, lead, rep.id, _OUTCOME_STAGES[outcome])))
        if outcome in ("opportunity", "customer"):
            self._deal(lead, rep, assigned, staged, outcome, later=later)
        if outcome != "mql":
            self._activities(rep, lead, assigned, outcome)

    def _deal(
        self,
        lead: str,
        rep: Rep,
        assigned: datetime,
        staged: datetime,
        outcome: str,
        *,
        later: list[tuple[datetime, Activity]],
    ) -> None:
        """The deal of an opportunity (open, or lost since) or of a customer (won when the lead
        became one), drawn from its own RNG: the rest of the company is as it was without deals."""
        rng = keyed_rng("acme-deal", self.seed, lead)
        amount = deal_amount(rng)
        if outcome == "customer":
            opened = between(rng, assigned, staged)
            later.append((opened, DealOpened(opened, lead, rep.id, data.DEAL_NAME, amount)))
            later.append((staged, DealClosed(staged, lead, rep.id, True, amount)))
            return
        later.append((staged, DealOpened(staged, lead, rep.id, data.DEAL_NAME, amount)))
        if rng.random() < 0.3:
            lost = between(rng, staged, self.now)
            if lost < self.now:
                later.append((lost, DealClosed(lost, lead, rep.id, False, amount)))

    def _activities(self, rep: Rep, lead: str, assigned: datetime, outcome: str) -> None:
        rng, crm = self.rng, self.crm
        touch = between(rng, assigned, min(self.now, assigned + timedelta(hours=30)))
        if rng.random() < 0.6:
            duration = timedelta(milliseconds=rng.randrange(60_000, 1_800_000))
            notes = "Discussed current lead routing and response times."
            crm.apply(CallLogged(touch, lead, rep.id, "Intro call", duration, notes))
        else:
            subject = "Following up on your interest in Acme Analytics"
            crm.apply(EmailLogged(touch, lead, rep.id, subject, "Would a 20-minute call this week help?"))
        if outcome in ("sql", "opportunity", "customer") or rng.random() < 0.3:
            reply = between(rng, touch, min(self.now, touch + timedelta(days=2)))
            subject = "Re: Following up on your interest in Acme Analytics"
            crm.apply(LeadReplied(reply, lead, rep.id, subject, "Thanks, Thursday works for us."))
        if outcome in ("opportunity", "customer"):
            start = between(rng, touch, min(self.now, touch + timedelta(days=7)))
            ends = start + timedelta(minutes=45)
            crm.apply(MeetingLogged(start, lead, rep.id, "Acme Analytics demo", ends, held=start < self.now))
        if outcome != "unqualified" and rng.random() < 0.5:
            body = "Team of 12 SDRs, response time ~2 days, evaluating Q3."
            crm.apply(NoteLogged(touch, lead, rep.id, body))


def write_history(
    crm: CrmPort,
    seed: int,
    *,
    now: datetime,
    leads: int = 400,
    accounts: int = 150,
    days: int = 180,
) -> History:
    """Write Acme Analytics into an empty CRM: same seed and ``now``, same company."""
    chronicle = _Chronicle(crm, seed, now, timedelta(days=days))
    reps, teams, queue_id, former_id = chronicle.team()
    forms = chronicle.forms()
    directory = chronicle.accounts(accounts, reps)
    lead_ids = chronicle.leads(leads, directory, reps)
    return History(
        now=chronicle.now,
        reps=reps,
        teams=teams,
        queue_id=queue_id,
        former_rep_id=former_id,
        forms=forms,
        account_ids=tuple(a.id for a in directory),
        lead_ids=tuple(lead_ids),
    )
