"""A simulated month (or day) at Acme Analytics, on top of a seeded portal.

New leads arrive and browse, existing ones keep engaging, and reps act on the leads handoff has
routed to them, only through the CRM fields handoff reads: they accept (``hs_lead_status`` =
``IN_PROGRESS``), log a first touch, document BANT evidence in ``handoff_*`` properties, or reject
with ``handoff_disqualification_reason`` (or, as reps do, without a reason). Each rep has a persona:
responsive, slow, or never responds. Every draw is seeded by what it concerns (the hour, the
contact and rep), so the outcome depends only on the seed, the portal and the ``advance`` calls.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from handoff.sandbox.hubspot import world_data as data
from handoff.sandbox.hubspot.analytics import EMAIL_CLICK, EMAIL_OPEN, WebEvent
from handoff.sandbox.hubspot.errors import PropertyValidationError
from handoff.sandbox.hubspot.people import LeadFactory, LeadSpec, company_directory, page_view, seeded_uuid
from handoff.sandbox.hubspot.records import ChangeSource
from handoff.sandbox.hubspot.schema import PropertyDef
from handoff.sandbox.hubspot.state import RecordNotFound, SandboxState
from handoff.sandbox.hubspot.timestamps import iso
from handoff.sandbox.hubspot.workhours import add_working_time
from handoff.sandbox.hubspot.world import RepProfile, roster
from handoff.sandbox.kit.clock import to_ms

RESPONSIVE = "responsive"
SLOW = "slow"
NEVER = "never"
REJECTION_REASONS = (
    "no_budget",
    "timeline_12m_plus",
    "no_authority",
    "no_need",
    "bad_data",
    "duplicate",
    "competitor",
    "student",
)
EVIDENCE = ("handoff_need", "handoff_authority", "handoff_timeline", "handoff_budget")
_EVIDENCE_TEXT = {
    "handoff_need": (
        "Inbound leads wait ~2 days for a first touch; wants routing and SLAs.",
        "MQLs get lost between marketing and sales; needs one handoff process.",
        "Reps cherry-pick leads; wants fair round robin with capacity.",
    ),
    "handoff_authority": (
        "VP Revenue Operations owns the decision; CFO signs off.",
        "Head of Sales decides; procurement review above $25k.",
        "Champion is the marketing ops lead; the CRO signs.",
    ),
    "handoff_timeline": (
        "Wants to go live next quarter.",
        "Must be live before the spring campaign (6 weeks).",
        "Evaluating now, decision by end of month.",
    ),
    "handoff_budget": (
        "Budget of $40k approved for this fiscal year.",
        "$25k from the RevOps tooling budget.",
        "Budget confirmed, amount pending procurement.",
    ),
}
_NEGATIVE_OPTIONS = frozenset({"", "no", "none", "false", "unknown", "not_documented", "n/a"})


@dataclass(frozen=True)
class SimulationProfile:
    """How busy the world is and how the reps behave."""

    name: str
    arrivals_per_hour: float = 1.0
    demo_share: float = 0.12
    activity_per_hour: float = 6.0
    initial_demo_requests: int = 0
    burst_hours: float = 2.0
    never_responds: int = 1
    never_team: str | None = None
    slow: int = 3
    rejection_rate: float = 0.3
    reject_without_reason: float = 0.2
    three_of_four: float = 0.25
    opportunity_rate: float = 0.5
    outcome_hours: tuple[float, float] = (3.0, 16.0)
    """Working hours a responsive rep takes, after the first touch, to qualify or reject a lead."""


PROFILES: dict[str, SimulationProfile] = {
    "steady": SimulationProfile("steady"),
    "demo_day": SimulationProfile(
        "demo_day",
        arrivals_per_hour=2.5,
        demo_share=0.25,
        activity_per_hour=10.0,
        initial_demo_requests=4,
        burst_hours=2.0,
        never_responds=1,
        never_team=data.TEAM_NORTH_AMERICA,
        slow=2,
        outcome_hours=(1.0, 4.0),
    ),
    "quiet": SimulationProfile(
        "quiet", arrivals_per_hour=0.0, activity_per_hour=0.0, never_responds=0, slow=0
    ),
}


@dataclass(frozen=True)
class SimEvent:
    """Something the simulation did, for the demo's narration and for tests."""

    at: datetime
    kind: str
    contact_id: str
    detail: str = ""
    owner_id: str | None = None


@dataclass(order=True)
class _Scheduled:
    at: datetime
    seq: int
    action: Callable[[datetime], None] = field(compare=False)


class Simulation:
    """Moves a seeded portal forward; call ``advance(until)`` as the sandbox clock moves."""

    def __init__(
        self,
        state: SandboxState,
        seed: int,
        *,
        profile: str | SimulationProfile = "steady",
        start: datetime | None = None,
        personas: Mapping[str, str] | None = None,
    ) -> None:
        self.state = state
        self.seed = seed
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        self.now = to_ms(start or state.clock())
        self.start = self.now
        self.reps = {rep.owner_id: rep for rep in roster(state)}
        self.personas = self._personas(personas or {})
        self.events: list[SimEvent] = []
        self._companies = company_directory(state)
        self._queue: list[_Scheduled] = []
        self._seq = itertools.count()
        self._planned: set[tuple[str, str]] = set()
        self._buckets_done = -1
        self._schedule_burst()

    # -- public -------------------------------------------------------------------------------

    def advance(self, until: datetime) -> list[SimEvent]:
        """Simulate up to ``until``; returns what happened in this step."""
        until = to_ms(until)
        if until <= self.now:
            return []
        first = len(self.events)
        self._plan_rep_work()
        self._fill_buckets(until)
        while self._queue and self._queue[0].at <= until:
            item = heapq.heappop(self._queue)
            item.action(item.at)
        self.now = until
        return self.events[first:]

    def persona(self, owner_id: str) -> str:
        return self.personas.get(owner_id, RESPONSIVE)

    # -- personas -----------------------------------------------------------------------------

    def _personas(self, overrides: Mapping[str, str]) -> dict[str, str]:
        rng = random.Random(f"sim:{self.seed}:personas")
        reps = sorted(self.reps.values(), key=lambda rep: int(rep.owner_id))
        personas = {rep.owner_id: RESPONSIVE for rep in reps}
        pool = [r for r in reps if self.profile.never_team in (None, r.team)]
        rng.shuffle(pool)
        never = pool[: self.profile.never_responds]
        for rep in never:
            personas[rep.owner_id] = NEVER
        rest = [r for r in reps if r not in never]
        rng.shuffle(rest)
        for rep in rest[: self.profile.slow]:
            personas[rep.owner_id] = SLOW
        by_email = {rep.email: rep.owner_id for rep in reps}
        for key, persona in overrides.items():
            if persona not in (RESPONSIVE, SLOW, NEVER):
                raise ValueError(f"unknown persona {persona!r}")
            personas[by_email.get(key, key)] = persona
        return personas

    # -- scheduling ---------------------------------------------------------------------------

    def _schedule(self, at: datetime, action: Callable[[datetime], None]) -> None:
        heapq.heappush(self._queue, _Scheduled(to_ms(at), next(self._seq), action))

    def _schedule_burst(self) -> None:
        rng = random.Random(f"sim:{self.seed}:burst")
        for index in range(self.profile.initial_demo_requests):
            at = self.start + timedelta(hours=self.profile.burst_hours) * rng.random()
            region = "EMEA" if index % 4 == 3 else "NA"
            self._schedule(at, self._demo_for(region))

    def _demo_for(self, region: str | None) -> Callable[[datetime], None]:
        return lambda moment: self._demo_request(moment, region)

    def _fill_buckets(self, until: datetime) -> None:
        """Draw each simulated hour once, from an RNG seeded by the hour itself."""
        last = math.floor((until - self.start) / timedelta(hours=1))
        for bucket in range(self._buckets_done + 1, last + 1):
            begin = self.start + timedelta(hours=bucket)
            rng = random.Random(f"sim:{self.seed}:hour:{bucket}")
            weight = _activity_weight(begin)
            for _ in range(_poisson(rng, self.profile.arrivals_per_hour * weight)):
                at = begin + timedelta(hours=1) * rng.random()
                if rng.random() < self.profile.demo_share:
                    self._schedule(at, self._demo_for(None))
                else:
                    self._schedule(at, self._new_lead)
            for _ in range(_poisson(rng, self.profile.activity_per_hour * weight)):
                at = begin + timedelta(hours=1) * rng.random()
                self._schedule(at, self._background_activity)
        self._buckets_done = max(self._buckets_done, last)

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(["sim", str(self.seed), *map(str, parts)]))

    # -- arrivals and background activity ------------------------------------------------------

    def _factory(self, rng: random.Random) -> LeadFactory:
        return LeadFactory(rng, self.state, self._companies)

    def _demo_request(self, at: datetime, region: str | None) -> None:
        rng = self._rng("demo", iso(at))
        factory = self._factory(rng)
        spec = factory.make("buyer")
        for _ in range(20):
            if region is None or (region == "EMEA") == (spec.country in data.EMEA_COUNTRIES):
                break
            spec = factory.make("buyer")
        name = rng.choice((data.FORM_DEMO, data.FORM_DEMO, data.FORM_CONTACT_SALES))
        self._arrive(rng, factory, spec, name, at, intent_pages=True)

    def _new_lead(self, at: datetime) -> None:
        rng = self._rng("lead", iso(at))
        factory = self._factory(rng)
        spec = factory.make()
        name = factory.first_form(spec) or data.FORM_NEWSLETTER
        self._arrive(rng, factory, spec, name, at, intent_pages=False)

    def _arrive(
        self,
        rng: random.Random,
        factory: LeadFactory,
        spec: LeadSpec,
        form_name: str,
        at: datetime,
        *,
        intent_pages: bool,
    ) -> None:
        form = self.state.form_by_name(form_name)
        if form is None:
            return
        extra: dict[str, str] = {"country": spec.country}
        if spec.company is not None:
            extra["associatedcompanyid"] = spec.company.id
        contact_id = self.state.submit_form(
            form.id,
            spec.form_values(),
            conversion_id=seeded_uuid(rng),
            at=at,
            page_url=data.SITE + data.FORM_PAGES.get(form_name, "/resources"),
            extra_properties=extra,
        )
        urls = factory.pages(spec)
        if intent_pages:
            urls += [data.SITE + "/pricing"] * 3 + [data.SITE + "/product/routing"]
        if urls:
            views = [page_view(rng, contact_id, url, at - timedelta(days=3) * rng.random()) for url in urls]
            self.state.add_web_events(views)
        self.events.append(SimEvent(at, "arrival", str(contact_id), form_name))

    def _background_activity(self, at: datetime) -> None:
        rng = self._rng("activity", iso(at))
        ids = self.state.ids("contacts")
        if not ids:
            return
        contact_id = int(rng.choice(ids))
        roll = rng.random()
        if roll < 0.7:
            pool = rng.choice((data.BLOG_POSTS, data.PRODUCT_PAGES, data.HIGH_INTENT_PAGES))
            url = data.SITE + rng.choice(pool)
            self.state.add_web_events([page_view(rng, contact_id, url, at)])
            self.events.append(SimEvent(at, "page_view", str(contact_id), url))
        elif roll < 0.8:
            contact = self.state.get("contacts", contact_id)
            name = rng.choice((*data.DOWNLOAD_FORMS, *data.WEBINAR_FORMS, data.FORM_DEMO))
            form = self.state.form_by_name(name)
            if contact is None or form is None or not contact.get("email"):
                return
            self.state.submit_form(
                form.id,
                {"email": contact.properties["email"]},
                conversion_id=seeded_uuid(rng),
                at=at,
                page_url=data.SITE + data.FORM_PAGES.get(name, "/resources"),
            )
            self.events.append(SimEvent(at, "form_submission", str(contact_id), name))
        else:
            newsletter = rng.choice(data.NEWSLETTERS)
            kind = EMAIL_CLICK if rng.random() < 0.3 else EMAIL_OPEN
            clicked: str | None = None
            if kind == EMAIL_CLICK:
                clicked = data.SITE + rng.choice(data.BLOG_POSTS)
            email_id = str(7_400_000 + data.NEWSLETTERS.index(newsletter))
            event = WebEvent(seeded_uuid(rng), contact_id, kind, at, clicked, None, newsletter, email_id)
            self.state.add_web_events([event])
            self.events.append(SimEvent(at, kind, str(contact_id), newsletter))

    # -- reps -----------------------------------------------------------------------------------

    def _plan_rep_work(self) -> None:
        """Find leads handoff has routed (or qualified) since the last step and plan the reps'
        reactions, timed from when handoff wrote them."""
        state = self.state
        if state.property_def("contacts", "handoff_stage") is None:
            return
        routed: list[tuple[str, str, str, datetime]] = []
        with state.locked():
            for record in state.raw_records("contacts"):
                stage = record.values.get("handoff_stage", "").lower()
                owner = record.values.get("hubspot_owner_id")
                if owner is None or owner not in self.reps or record.archived:
                    continue
                if stage not in ("mql", "sal", "sql"):
                    continue
                key = "opportunity" if stage == "sql" else owner
                if (str(record.id), key) in self._planned:
                    continue
                versions = record.versions("handoff_stage") + record.versions("hubspot_owner_id")
                handed = max((v.timestamp for v in versions), default=record.updated_at)
                routed.append((str(record.id), owner, stage, handed))
        for contact_id, owner, stage, handed in routed:
            base = max(handed, self.now)
            if stage == "sql":
                self._planned.add((contact_id, "opportunity"))
                self._plan_opportunity(contact_id, owner, base)
            else:
                self._planned.add((contact_id, owner))
                self._plan_lead(contact_id, self.reps[owner], base)

    def _plan_lead(self, contact_id: str, rep: RepProfile, base: datetime) -> None:
        persona = self.persona(rep.owner_id)
        rng = self._rng("plan", contact_id, rep.owner_id)
        if persona == NEVER:
            self.events.append(SimEvent(base, "ignored", contact_id, "rep never responds", rep.owner_id))
            return
        fast = persona == RESPONSIVE
        tz = rep.timezone
        # Responsive reps mostly beat a 15-minute escalation; slow ones never do.
        accept_delay = timedelta(minutes=rng.uniform(2, 20) if fast else rng.uniform(150, 480))
        accept_at = add_working_time(base, accept_delay, tz)
        touch_delay = timedelta(minutes=rng.uniform(5, 60) if fast else rng.uniform(60, 300))
        touch_at = add_working_time(accept_at, touch_delay, tz)
        quick, slow = self.profile.outcome_hours
        outcome_delay = timedelta(hours=rng.uniform(quick, slow) if fast else rng.uniform(12, 30))
        outcome_at = add_working_time(touch_at, outcome_delay, tz)
        contact = self.state.get("contacts", contact_id)
        obvious = contact is not None and _obvious_reason(contact.properties) is not None
        rejecting = obvious or rng.random() < self.profile.rejection_rate
        if rejecting and obvious:
            self._schedule(accept_at, lambda at: self._reject(at, contact_id, rep, rng))
            return
        self._schedule(accept_at, lambda at: self._accept(at, contact_id, rep))
        self._schedule(touch_at, lambda at: self._first_touch(at, contact_id, rep, rng))
        if rejecting:
            self._schedule(outcome_at, lambda at: self._reject(at, contact_id, rep, rng))
        else:
            count = 3 if rng.random() < self.profile.three_of_four else 4
            self._schedule(outcome_at, lambda at: self._document(at, contact_id, rep, rng, count))

    def _plan_opportunity(self, contact_id: str, owner: str, base: datetime) -> None:
        rng = self._rng("opportunity", contact_id)
        if rng.random() >= self.profile.opportunity_rate:
            return
        rep = self.reps[owner]
        at = add_working_time(base, timedelta(hours=rng.uniform(4, 24)), rep.timezone)

        def convert(moment: datetime) -> None:
            if self._still_owned(contact_id, rep, stages=("sql",)):
                self._write(moment, contact_id, rep, {"lifecyclestage": "opportunity"}, "opportunity")

        self._schedule(at, convert)

    def _still_owned(
        self, contact_id: str, rep: RepProfile, stages: tuple[str, ...] = ("mql", "sal")
    ) -> bool:
        contact = self.state.get("contacts", contact_id)
        return (
            contact is not None
            and contact.get("hubspot_owner_id") == rep.owner_id
            and (contact.get("handoff_stage") or "").lower() in stages
        )

    def _write(
        self,
        at: datetime,
        contact_id: str,
        rep: RepProfile,
        changes: Mapping[str, str],
        kind: str,
    ) -> None:
        try:
            self.state.update("contacts", contact_id, changes, source=ChangeSource.ui(rep.user_id), at=at)
        except (PropertyValidationError, RecordNotFound) as exc:
            self.events.append(SimEvent(at, "skipped", contact_id, f"{kind}: {exc}", rep.owner_id))
            return
        detail = ", ".join(f"{name}={value}" for name, value in changes.items())
        self.events.append(SimEvent(at, kind, contact_id, detail, rep.owner_id))

    def _accept(self, at: datetime, contact_id: str, rep: RepProfile) -> None:
        contact = self.state.get("contacts", contact_id)
        if contact is None or contact.get("hs_lead_status") == "IN_PROGRESS":
            return
        if self._still_owned(contact_id, rep):
            self._write(at, contact_id, rep, {"hs_lead_status": "IN_PROGRESS"}, "accepted")
            self._complete_tasks(at, contact_id, rep)

    def _complete_tasks(self, at: datetime, contact_id: str, rep: RepProfile) -> None:
        """Reps tick off the follow-up tasks handoff created for them once they act."""
        for task_id in self.state.associated_ids("contacts", contact_id, "tasks"):
            task = self.state.get("tasks", task_id)
            if task is None or task.get("hubspot_owner_id") != rep.owner_id:
                continue
            if task.get("hs_task_status") == "COMPLETED":
                continue
            self.state.update(
                "tasks",
                task_id,
                {"hs_task_status": "COMPLETED"},
                source=ChangeSource.ui(rep.user_id),
                at=at,
            )
            self.events.append(SimEvent(at, "task_completed", contact_id, task_id, rep.owner_id))

    def _first_touch(self, at: datetime, contact_id: str, rep: RepProfile, rng: random.Random) -> None:
        if not self._still_owned(contact_id, rep):
            return
        common = {"hs_timestamp": iso(at), "hubspot_owner_id": rep.owner_id}
        if rng.random() < 0.6:
            kind = "calls"
            props = {
                **common,
                "hs_call_title": "First call",
                "hs_call_direction": "OUTBOUND",
                "hs_call_status": "COMPLETED",
                "hs_call_duration": str(rng.randrange(120_000, 1_200_000)),
                "hs_call_body": "Introduced Acme Analytics; booked a discovery call.",
            }
        else:
            kind = "emails"
            props = {
                **common,
                "hs_email_direction": "EMAIL",
                "hs_email_status": "SENT",
                "hs_email_subject": "Your demo request at Acme Analytics",
                "hs_email_text": "Thanks for reaching out; here are a few times for a call.",
            }
        self.state.create_engagement(
            kind, props, contact_id=contact_id, source=ChangeSource.ui(rep.user_id), at=at
        )
        self.events.append(SimEvent(at, "first_touch", contact_id, kind, rep.owner_id))

    def _document(
        self, at: datetime, contact_id: str, rep: RepProfile, rng: random.Random, count: int
    ) -> None:
        if not self._still_owned(contact_id, rep):
            return
        items = [name for name in EVIDENCE if self.state.property_def("contacts", name)]
        rng.shuffle(items)
        changes: dict[str, str] = {}
        for name in sorted(items[:count]):
            prop = self.state.property_def("contacts", name)
            value = _evidence_value(prop, name, at, rng) if prop is not None else None
            if value is not None:
                changes[name] = value
        if changes:
            self._write(at, contact_id, rep, changes, "evidence")

    def _reject(self, at: datetime, contact_id: str, rep: RepProfile, rng: random.Random) -> None:
        if not self._still_owned(contact_id, rep):
            return
        contact = self.state.get("contacts", contact_id)
        assert contact is not None
        changes = {"hs_lead_status": "UNQUALIFIED"}
        reason_prop = self.state.property_def("contacts", "handoff_disqualification_reason")
        obvious = _obvious_reason(contact.properties)
        lazy = obvious is None and rng.random() < self.profile.reject_without_reason
        if reason_prop is not None and not lazy:
            reason = obvious or rng.choice(
                ("no_budget", "timeline_12m_plus", "no_authority", "no_need", "duplicate")
            )
            allowed = reason_prop.option_values() if reason_prop.type == "enumeration" else []
            if allowed and reason not in allowed:
                reason = rng.choice(allowed)
            changes["handoff_disqualification_reason"] = reason
        kind = "rejected" if "handoff_disqualification_reason" in changes else "rejected_no_reason"
        self._write(at, contact_id, rep, changes, kind)


def _obvious_reason(properties: Mapping[str, str]) -> str | None:
    """Reasons a rep sees at a glance: a competitor, a student, junk data."""
    email = properties.get("email", "").lower()
    domain = email.rsplit("@", 1)[-1]
    title = properties.get("jobtitle", "")
    if domain in {d for _, d in data.COMPETITORS}:
        return "competitor"
    if title in data.LOW_FIT_TITLES and title != "Freelancer":
        return "student"
    if domain in ("asdf.com", "test.com", "example.org", "mailinator.com") or title in data.BAD_TITLES:
        return "bad_data"
    return None


def _evidence_value(prop: PropertyDef, name: str, at: datetime, rng: random.Random) -> str | None:
    """A value a rep would type, valid for whatever type ``handoff setup`` gave the property."""
    if prop.type == "bool":
        return "true"
    if prop.type == "enumeration":
        usable = [o.value for o in prop.options if o.value.lower() not in _NEGATIVE_OPTIONS]
        return usable[0] if usable else None
    if prop.type == "number":
        return "40000" if name == "handoff_budget" else "1"
    if prop.type == "date":
        return (at + timedelta(days=90)).date().isoformat()
    if prop.type == "datetime":
        return iso(at + timedelta(days=90))
    return rng.choice(_EVIDENCE_TEXT.get(name, ("Documented on the discovery call.",)))


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
