"""The world outside the sales team, hour by hour: new leads arrive (some asking for a demo) and
browse, and leads the CRM already holds keep reading pages, filling in forms and opening
newsletters. Every hour's arrivals and activity are drawn once, from an RNG seeded by the hour."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.agenda import Action, Agenda
from handoff.sandbox.company.draws import keyed_rng, moment_key, seeded_uuid
from handoff.sandbox.company.events import (
    EmailClicked,
    EmailOpened,
    FormSubmitted,
    LeadArrived,
    PagesViewed,
)
from handoff.sandbox.company.leads import LeadFactory, page_view
from handoff.sandbox.company.people import Person
from handoff.sandbox.company.port import CrmPort
from handoff.sandbox.company.profiles import SimulationProfile


class Market:
    def __init__(
        self, crm: CrmPort, seed: int, profile: SimulationProfile, start: datetime, agenda: Agenda
    ) -> None:
        self.crm = crm
        self.seed = seed
        self.profile = profile
        self.start = start
        self.agenda = agenda
        self._accounts = crm.accounts()
        self._hours_done = -1

    def plan_burst(self) -> None:
        """The profile's opening demo requests (every fourth from Europe), in its first hours."""
        rng = keyed_rng("sim", self.seed, "burst")
        for index in range(self.profile.initial_demo_requests):
            at = self.start + timedelta(hours=self.profile.burst_hours) * rng.random()
            region = "EMEA" if index % 4 == 3 else "NA"
            self.agenda.plan(at, self._demo_for(region))

    def plan_hours(self, until: datetime) -> None:
        """Draw each simulated hour up to ``until`` once, from an RNG seeded by the hour itself."""
        last = math.floor((until - self.start) / timedelta(hours=1))
        for hour in range(self._hours_done + 1, last + 1):
            begin = self.start + timedelta(hours=hour)
            rng = keyed_rng("sim", self.seed, "hour", hour)
            weight = _activity_weight(begin)
            for _ in range(_poisson(rng, self.profile.arrivals_per_hour * weight)):
                at = begin + timedelta(hours=1) * rng.random()
                if rng.random() < self.profile.demo_share:
                    self.agenda.plan(at, self._demo_for(None))
                else:
                    self.agenda.plan(at, self._new_lead)
            for _ in range(_poisson(rng, self.profile.activity_per_hour * weight)):
                at = begin + timedelta(hours=1) * rng.random()
                self.agenda.plan(at, self._background_activity)
        self._hours_done = max(self._hours_done, last)

    def _rng(self, *parts: object) -> random.Random:
        return keyed_rng("sim", self.seed, *parts)

    def _factory(self, rng: random.Random) -> LeadFactory:
        return LeadFactory(rng, self.crm.email_in_use, self._accounts)

    def _demo_for(self, region: str | None) -> Action:
        return lambda moment: self._demo_request(moment, region)

    def _demo_request(self, at: datetime, region: str | None) -> None:
        rng = self._rng("demo", moment_key(at))
        factory = self._factory(rng)
        person = factory.make("buyer")
        for _ in range(20):
            if region is None or (region == "EMEA") == (person.country in data.EMEA_COUNTRIES):
                break
            person = factory.make("buyer")
        name = rng.choice((data.FORM_DEMO, data.FORM_DEMO, data.FORM_CONTACT_SALES))
        self._arrive(rng, factory, person, name, at, intent_pages=True)

    def _new_lead(self, at: datetime) -> None:
        rng = self._rng("lead", moment_key(at))
        factory = self._factory(rng)
        person = factory.make()
        name = factory.first_form(person) or data.FORM_NEWSLETTER
        self._arrive(rng, factory, person, name, at, intent_pages=False)

    def _arrive(
        self,
        rng: random.Random,
        factory: LeadFactory,
        person: Person,
        form: str,
        at: datetime,
        *,
        intent_pages: bool,
    ) -> None:
        if not self.crm.has_form(form):
            return
        conversion = seeded_uuid(rng)
        page = data.SITE + data.FORM_PAGES.get(form, "/resources")
        urls = factory.pages(person)
        if intent_pages:
            urls += [data.SITE + "/pricing"] * 3 + [data.SITE + "/product/routing"]
        views = tuple(page_view(rng, url, at - timedelta(days=3) * rng.random()) for url in urls)
        self.crm.create(LeadArrived(at, person, form, conversion, page, person.country, browsed=views))

    def _background_activity(self, at: datetime) -> None:
        rng = self._rng("activity", moment_key(at))
        ids = self.crm.lead_ids()
        if not ids:
            return
        lead = rng.choice(ids)
        roll = rng.random()
        if roll < 0.7:
            pool = rng.choice((data.BLOG_POSTS, data.PRODUCT_PAGES, data.HIGH_INTENT_PAGES))
            url = data.SITE + rng.choice(pool)
            self.crm.apply(PagesViewed(lead, (page_view(rng, url, at),)))
        elif roll < 0.8:
            name = rng.choice((*data.DOWNLOAD_FORMS, *data.WEBINAR_FORMS, data.FORM_DEMO))
            page = data.SITE + data.FORM_PAGES.get(name, "/resources")
            self.crm.apply(FormSubmitted(at, lead, name, seeded_uuid(rng), page))
        else:
            newsletter = rng.choice(data.NEWSLETTERS)
            clicked = rng.random() < 0.3
            url = data.SITE + rng.choice(data.BLOG_POSTS) if clicked else ""
            if clicked:
                self.crm.apply(EmailClicked(at, lead, seeded_uuid(rng), newsletter, url))
            else:
                self.crm.apply(EmailOpened(at, lead, seeded_uuid(rng), newsletter))


def _activity_weight(moment: datetime) -> float:
    """Relative busyness of an hour: quiet nights, North American and European working days."""
    utc = moment.astimezone(UTC)
    weekday = utc.weekday() < 5
    weight = 0.15
    if weekday and 13 <= utc.hour < 22:
        weight += 0.6
    if weekday and 8 <= utc.hour < 17:
        weight += 0.4
    return weight


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    threshold, count, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count
