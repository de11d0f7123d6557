"""``seed_company``: a realistic B2B portal for "Acme Analytics", deterministic for a seed.

The portal has a sales team (12 reps in three teams, a queue and a former rep), ~150 accounts, and
contacts across every fit level with the history a scoring engine reads: page views, form
submissions, marketing email engagement and, for leads already worked, the reps' calls, emails,
meetings and notes. Nothing ``handoff_*`` exists yet: that is for ``handoff setup`` to create.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handoff.sandbox.hubspot import world_data as data
from handoff.sandbox.hubspot.analytics import EMAIL_CLICK, EMAIL_OPEN, WebEvent
from handoff.sandbox.hubspot.forms import FormDef
from handoff.sandbox.hubspot.owners import Owner, Team
from handoff.sandbox.hubspot.people import (
    CompanyInfo,
    LeadFactory,
    LeadSpec,
    between,
    page_view,
    seeded_uuid,
    team_for,
    weighted_choice,
)
from handoff.sandbox.hubspot.records import ChangeSource
from handoff.sandbox.hubspot.state import SandboxState
from handoff.sandbox.hubspot.timestamps import iso
from handoff.sandbox.kit.clock import to_ms


@dataclass(frozen=True)
class RepProfile:
    owner_id: str
    user_id: int
    email: str
    name: str
    team: str
    timezone: str


@dataclass(frozen=True)
class SeededCompany:
    """What was seeded, for tests, the demo's policy and the simulation."""

    now: datetime
    reps: tuple[RepProfile, ...]
    teams: dict[str, str]
    queue_owner_id: str
    former_owner_id: str
    forms: dict[str, str]
    company_ids: tuple[str, ...]
    contact_ids: tuple[str, ...]
    competitor_domains: tuple[str, ...] = tuple(domain for _, domain in data.COMPETITORS)
    personal_domains: tuple[str, ...] = data.PERSONAL_DOMAINS

    def rep(self, email: str) -> RepProfile:
        return next(rep for rep in self.reps if rep.email == email)

    def team_reps(self, team: str) -> list[RepProfile]:
        return [rep for rep in self.reps if rep.team == team]


def roster(state: SandboxState) -> tuple[RepProfile, ...]:
    """The active reps of a seeded portal, with the team and time zone of their seat."""
    seats = {seat.email: seat for seat in data.REPS}
    reps: list[RepProfile] = []
    for owner in state.owners():
        if owner.type != "PERSON" or owner.user_id is None:
            continue
        seat = seats.get(owner.email or "")
        team = owner.primary_team.name if owner.primary_team else data.TEAM_NORTH_AMERICA
        reps.append(
            RepProfile(
                owner_id=owner.id,
                user_id=owner.user_id,
                email=owner.email or "",
                name=owner.full_name,
                team=seat.team if seat else team,
                timezone=seat.timezone if seat else "America/New_York",
            )
        )
    return tuple(reps)


class _WorldBuilder:
    def __init__(self, state: SandboxState, seed: int, now: datetime, history: timedelta) -> None:
        self.state = state
        self.rng = random.Random(f"acme-world:{seed}")
        self.now = to_ms(now)
        self.start = self.now - history
        self._ids: set[int] = set()

    def _number(self, low: int, high: int) -> int:
        while True:
            value = self.rng.randrange(low, high)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def owners(self) -> tuple[tuple[RepProfile, ...], dict[str, str], str, str]:
        created = self.now - timedelta(days=730)
        teams = {name: Team(str(self._number(100_000, 999_999)), name) for name in data.TEAMS}
        reps: list[RepProfile] = []
        for seat in data.REPS:
            owner = self._owner(seat, teams[seat.team], created, archived=False)
            assert owner.user_id is not None
            reps.append(
                RepProfile(
                    owner.id, owner.user_id, owner.email or "", owner.full_name, seat.team, seat.timezone
                )
            )
        former = self._owner(data.FORMER_REP, teams[data.FORMER_REP.team], created, archived=True)
        queue = self.state.add_owner(
            Owner(
                id=str(self._number(10_000_000, 99_999_999)),
                user_id=None,
                email=None,
                first_name=data.QUEUE_NAME,
                last_name="",
                created_at=created,
                updated_at=created,
                type="QUEUE",
            )
        )
        return tuple(reps), {name: team.id for name, team in teams.items()}, queue.id, former.id

    def _owner(self, seat: data.RepSeat, team: Team, created: datetime, *, archived: bool) -> Owner:
        user_id = self._number(1_000_000, 9_999_999)
        return self.state.add_owner(
            Owner(
                id=str(self._number(10_000_000, 99_999_999)),
                user_id=None if archived else user_id,
                user_id_including_inactive=user_id,
                email=seat.email,
                first_name=seat.first_name,
                last_name=seat.last_name,
                created_at=created,
                updated_at=self.now - timedelta(days=40) if archived else created,
                teams=(team,),
                primary_team_id=team.id,
                archived=archived,
            )
        )

    def forms(self) -> dict[str, str]:
        created = self.now - timedelta(days=400)
        ids: dict[str, str] = {}
        for index, name in enumerate(data.ALL_FORMS):
            fields: tuple[str, ...] = ("email", "firstname", "lastname", "company", "jobtitle")
            if name in (data.FORM_DEMO, data.FORM_CONTACT_SALES):
                fields = (*fields, "phone", "country", "numemployees", "message")
            elif name == data.FORM_NEWSLETTER:
                fields = ("email", "firstname")
            form = FormDef(
                id=seeded_uuid(self.rng),
                name=name,
                created_at=created + timedelta(hours=index),
                updated_at=created + timedelta(hours=index),
                fields=fields,
                lifecycle_stage="subscriber" if name == data.FORM_NEWSLETTER else "lead",
            )
            ids[name] = self.state.add_form(form).id
        return ids

    def companies(self, count: int, reps: Sequence[RepProfile]) -> list[CompanyInfo]:
        rng = self.rng
        made: list[CompanyInfo] = []
        used: set[str] = set()
        for name, domain in data.COMPETITORS:
            made.append(
                self._company(
                    name, domain, industry="COMPUTER_SOFTWARE", employees=80, country="US", owner=None
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
                owner = rng.choice(candidates).owner_id
            made.append(
                self._company(
                    name,
                    domain,
                    industry=industry,
                    employees=employees,
                    country=country,
                    owner=owner,
                )
            )
        owned = [c for c in made if c.owner_id is not None]
        for original in owned[:4]:
            made.append(
                self._company(
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

    def _company(
        self,
        name: str,
        domain: str,
        *,
        industry: str,
        employees: int,
        country: str,
        owner: str | None,
    ) -> CompanyInfo:
        props = {
            "name": name,
            "domain": domain,
            "website": f"https://www.{domain}",
            "industry": industry,
            "numberofemployees": str(employees),
            "annualrevenue": str(employees * self.rng.randrange(90_000, 320_000)),
            "country": country,
            "city": self.rng.choice(data.CITIES[country]),
            "lifecyclestage": "lead",
        }
        if owner is not None:
            props["hubspot_owner_id"] = owner
            props["lifecyclestage"] = self.rng.choice(("opportunity", "customer", "customer"))
        at = between(self.rng, self.start - timedelta(days=365), self.start)
        record = self.state.create("companies", props, source=ChangeSource("IMPORT"), at=at)
        return CompanyInfo(record.id, name, domain, employees, industry, country, owner)

    def contacts(
        self,
        count: int,
        companies: list[CompanyInfo],
        reps: Sequence[RepProfile],
        forms: dict[str, str],
    ) -> list[str]:
        factory = LeadFactory(self.rng, self.state, companies)
        span = (self.now - timedelta(hours=1)) - self.start
        moments = sorted(self.start + span * self.rng.random() for _ in range(count))
        ids: list[str] = []
        for created in moments:
            spec = factory.make()
            ids.append(str(self._contact(factory, spec, to_ms(created), reps, forms)))
        return ids

    def _contact(
        self,
        factory: LeadFactory,
        spec: LeadSpec,
        created: datetime,
        reps: Sequence[RepProfile],
        forms: dict[str, str],
    ) -> int:
        rng, state = self.rng, self.state
        first_form = factory.first_form(spec)
        extra = _profile_properties(rng, spec, first_form)
        if first_form is None:
            props: dict[str, object] = {**spec.form_values(), **extra, "lifecyclestage": "lead"}
            contact_id = int(state.create("contacts", props, source=ChangeSource("IMPORT"), at=created).id)
        else:
            contact_id = state.submit_form(
                forms[first_form],
                spec.form_values(),
                conversion_id=seeded_uuid(rng),
                at=created,
                page_url=data.SITE + data.FORM_PAGES.get(first_form, "/resources"),
                extra_properties=extra,
            )
        actions: list[tuple[datetime, Callable[[], object]]] = []
        self._browsing(factory, spec, contact_id, created, actions)
        self._later_conversions(spec, contact_id, created, forms, actions)
        self._marketing_email(spec, contact_id, created, first_form)
        self._sales(spec, contact_id, created, reps, actions)
        for _, action in sorted(actions, key=lambda pair: pair[0]):
            action()
        return contact_id

    def _browsing(
        self,
        factory: LeadFactory,
        spec: LeadSpec,
        contact_id: int,
        created: datetime,
        actions: list[tuple[datetime, Callable[[], object]]],
    ) -> None:
        urls = factory.pages(spec)
        if not urls:
            return
        rng = self.rng
        early = created - timedelta(days=rng.randint(1, 30))
        events = [page_view(rng, contact_id, url, between(rng, early, self.now)) for url in urls]
        self.state.add_web_events(events, update_contact=False)
        last = max(events, key=lambda event: event.occurred_at)
        first = min(events, key=lambda event: event.occurred_at)
        summary = {
            "hs_analytics_num_page_views": str(len(events)),
            "hs_analytics_num_visits": str(max(1, len(events) // 3)),
            "hs_analytics_first_url": first.url or "",
            "hs_analytics_last_url": last.url or "",
            "hs_analytics_last_visit_timestamp": iso(last.occurred_at),
        }
        moment = max(last.occurred_at, created)

        def apply() -> None:
            self.state.update("contacts", contact_id, summary, source=ChangeSource("ANALYTICS"), at=moment)

        actions.append((moment, apply))

    def _later_conversions(
        self,
        spec: LeadSpec,
        contact_id: int,
        created: datetime,
        forms: dict[str, str],
        actions: list[tuple[datetime, Callable[[], object]]],
    ) -> None:
        rng = self.rng
        extra_count = rng.choices((0, 1, 2), weights=(55, 30, 15))[0] if spec.intent >= 1 else 0
        for _ in range(extra_count):
            name = rng.choice((*data.DOWNLOAD_FORMS, *data.WEBINAR_FORMS))
            if spec.intent >= 3 and rng.random() < 0.3:
                name = rng.choice((data.FORM_DEMO, data.FORM_CONTACT_SALES))
            at = between(rng, created + timedelta(hours=1), self.now)
            conversion = seeded_uuid(rng)
            page = data.SITE + data.FORM_PAGES.get(name, "/resources")

            def submit(
                form_id: str = forms[name], at: datetime = at, cid: str = conversion, url: str = page
            ) -> None:
                self.state.submit_form(form_id, {"email": spec.email}, conversion_id=cid, at=at, page_url=url)

            actions.append((at, submit))

    def _marketing_email(
        self, spec: LeadSpec, contact_id: int, created: datetime, first_form: str | None
    ) -> None:
        rng = self.rng
        if spec.category == "bad_data" or rng.random() < 0.3:
            return
        events: list[WebEvent] = []
        for name in data.NEWSLETTERS:
            sent = between(rng, created, self.now)
            if sent >= self.now or rng.random() < 0.4:
                continue
            email_id = str(7_400_000 + data.NEWSLETTERS.index(name))
            opened = between(rng, sent, min(self.now, sent + timedelta(days=2)))
            events.append(
                WebEvent(seeded_uuid(rng), contact_id, EMAIL_OPEN, opened, None, None, name, email_id)
            )
            if rng.random() < 0.25 + 0.1 * spec.intent:
                url = data.SITE + rng.choice(data.BLOG_POSTS + data.PRODUCT_PAGES)
                clicked = between(rng, opened, min(self.now, opened + timedelta(hours=2)))
                events.append(
                    WebEvent(seeded_uuid(rng), contact_id, EMAIL_CLICK, clicked, url, None, name, email_id)
                )
        if events:
            self.state.add_web_events(events)

    def _sales(
        self,
        spec: LeadSpec,
        contact_id: int,
        created: datetime,
        reps: Sequence[RepProfile],
        actions: list[tuple[datetime, Callable[[], object]]],
    ) -> None:
        """Leads worked before handoff arrived: owner, lead status, stage, activities."""
        rng = self.rng
        roll = rng.random()
        fit = spec.category in ("buyer", "practitioner")
        if (not fit and roll > 0.03) or (fit and roll > 0.22):
            return
        if spec.company is not None and spec.company.owner_id is not None:
            rep = next((r for r in reps if r.owner_id == spec.company.owner_id), None)
        else:
            rep = None
        if rep is None:
            team = team_for(spec.company, spec.country)
            rep = rng.choice([r for r in reps if r.team == team])
        assigned = between(rng, created + timedelta(hours=1), created + timedelta(days=3))
        if assigned >= self.now:
            return
        outcome = rng.choices(
            ("working", "sql", "opportunity", "customer", "unqualified", "mql"),
            weights=(30, 15, 12, 12, 12, 19) if fit else (10, 0, 0, 0, 90, 0),
        )[0]
        stage = {
            "working": "lead",
            "sql": "salesqualifiedlead",
            "opportunity": "opportunity",
            "customer": "customer",
            "unqualified": "lead",
            "mql": "marketingqualifiedlead",
        }[outcome]
        status = {
            "working": rng.choice(("IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED")),
            "sql": "CONNECTED",
            "opportunity": "OPEN_DEAL",
            "customer": "OPEN_DEAL",
            "unqualified": "UNQUALIFIED",
            "mql": "NEW",
        }[outcome]
        ui = ChangeSource.ui(rep.user_id)
        changes = {"hubspot_owner_id": rep.owner_id, "hs_lead_status": status}
        actions.append(
            (assigned, lambda: self.state.update("contacts", contact_id, changes, source=ui, at=assigned))
        )
        staged = between(rng, assigned, min(self.now, assigned + timedelta(days=20)))
        actions.append(
            (
                staged,
                lambda: self.state.update(
                    "contacts", contact_id, {"lifecyclestage": stage}, source=ui, at=staged
                ),
            )
        )
        if outcome != "mql":
            self._activities(rep, contact_id, assigned, outcome)

    def _activities(self, rep: RepProfile, contact_id: int, assigned: datetime, outcome: str) -> None:
        rng, state = self.rng, self.state
        ui = ChangeSource.ui(rep.user_id)
        touch = between(rng, assigned, min(self.now, assigned + timedelta(hours=30)))
        if rng.random() < 0.6:
            state.create_engagement(
                "calls",
                {
                    "hs_timestamp": iso(touch),
                    "hubspot_owner_id": rep.owner_id,
                    "hs_call_title": "Intro call",
                    "hs_call_direction": "OUTBOUND",
                    "hs_call_status": "COMPLETED",
                    "hs_call_duration": str(rng.randrange(60_000, 1_800_000)),
                    "hs_call_body": "Discussed current lead routing and response times.",
                },
                contact_id=contact_id,
                source=ui,
                at=touch,
            )
        else:
            state.create_engagement(
                "emails",
                {
                    "hs_timestamp": iso(touch),
                    "hubspot_owner_id": rep.owner_id,
                    "hs_email_direction": "EMAIL",
                    "hs_email_status": "SENT",
                    "hs_email_subject": "Following up on your interest in Acme Analytics",
                    "hs_email_text": "Would a 20-minute call this week help?",
                },
                contact_id=contact_id,
                source=ui,
                at=touch,
            )
        if outcome in ("sql", "opportunity", "customer") or rng.random() < 0.3:
            reply = between(rng, touch, min(self.now, touch + timedelta(days=2)))
            state.create_engagement(
                "emails",
                {
                    "hs_timestamp": iso(reply),
                    "hubspot_owner_id": rep.owner_id,
                    "hs_email_direction": "INCOMING_EMAIL",
                    "hs_email_subject": "Re: Following up on your interest in Acme Analytics",
                    "hs_email_text": "Thanks, Thursday works for us.",
                },
                contact_id=contact_id,
                source=ChangeSource("EMAIL_INTEGRATION"),
                at=reply,
            )
        if outcome in ("opportunity", "customer"):
            start = between(rng, touch, min(self.now, touch + timedelta(days=7)))
            state.create_engagement(
                "meetings",
                {
                    "hs_timestamp": iso(start),
                    "hubspot_owner_id": rep.owner_id,
                    "hs_meeting_title": "Acme Analytics demo",
                    "hs_meeting_start_time": iso(start),
                    "hs_meeting_end_time": iso(start + timedelta(minutes=45)),
                    "hs_meeting_outcome": "COMPLETED" if start < self.now else "SCHEDULED",
                },
                contact_id=contact_id,
                source=ui,
                at=start,
            )
        if outcome != "unqualified" and rng.random() < 0.5:
            state.create_engagement(
                "notes",
                {
                    "hs_timestamp": iso(touch),
                    "hubspot_owner_id": rep.owner_id,
                    "hs_note_body": "Team of 12 SDRs, response time ~2 days, evaluating Q3.",
                },
                contact_id=contact_id,
                source=ui,
                at=touch,
            )


def _profile_properties(rng: random.Random, spec: LeadSpec, first_form: str | None) -> dict[str, str]:
    props: dict[str, str] = {}
    country = spec.country
    if spec.category != "bad_data" and rng.random() < 0.1 and country in data.COUNTRY_NAMES:
        country = data.COUNTRY_NAMES[country]
    if country and rng.random() < 0.9:
        props["country"] = country
    if spec.phone:
        props["phone"] = spec.phone
    if spec.company is not None:
        props["associatedcompanyid"] = spec.company.id
    if first_form is None:
        props["hs_analytics_source"] = "OFFLINE"
    else:
        props["hs_analytics_source"] = rng.choice(
            (
                "ORGANIC_SEARCH",
                "ORGANIC_SEARCH",
                "PAID_SEARCH",
                "SOCIAL_MEDIA",
                "REFERRALS",
                "DIRECT_TRAFFIC",
                "EMAIL_MARKETING",
                "PAID_SOCIAL",
            )
        )
    return props


def seed_company(
    state: SandboxState,
    seed: int,
    *,
    contacts: int = 400,
    companies: int = 150,
    now: datetime | None = None,
    history_days: int = 180,
) -> SeededCompany:
    """Seed an empty portal with Acme Analytics: same seed and ``now``, same portal."""
    if state.count("contacts") or state.owners(archived=None):
        raise ValueError("seed_company expects an empty portal")
    moment = to_ms(now or state.clock())
    builder = _WorldBuilder(state, seed, moment, timedelta(days=history_days))
    reps, teams, queue_id, former_id = builder.owners()
    forms = builder.forms()
    directory = builder.companies(companies, reps)
    contact_ids = builder.contacts(contacts, directory, reps, forms)
    return SeededCompany(
        now=moment,
        reps=reps,
        teams=teams,
        queue_owner_id=queue_id,
        former_owner_id=former_id,
        forms=forms,
        company_ids=tuple(c.id for c in directory),
        contact_ids=tuple(contact_ids),
    )
