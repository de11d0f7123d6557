"""The sales team at work: reps react to the leads handoff routes (or qualifies) to them.

They read only what handoff wrote into the CRM (owner, stage, tasks, the fields it set up) and
answer as reps do: they accept and touch a lead, then document qualification evidence or reject
it (with a reason, or not); qualified leads sometimes become opportunities. Responsive reps act
within minutes of their working day, slow ones within hours, and some never respond. Each lead's
plan is drawn from an RNG seeded by the lead and the rep, timed from when handoff handed it over.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.agenda import Agenda
from handoff.sandbox.company.draws import deal_amount, keyed_rng
from handoff.sandbox.company.events import (
    CallLogged,
    DealClosed,
    DealOpened,
    EmailLogged,
    EvidenceDocumented,
    EvidenceValue,
    LeadAccepted,
    LeadIgnored,
    LeadRejected,
    OpportunityCreated,
    TaskCompleted,
)
from handoff.sandbox.company.people import Rep
from handoff.sandbox.company.personas import NEVER, RESPONSIVE
from handoff.sandbox.company.port import CrmPort
from handoff.sandbox.company.profiles import SimulationProfile
from handoff.sandbox.company.qualification import JUDGEMENT_CALLS, evidence_value, obvious_reason
from handoff.sandbox.company.terms import Evidence
from handoff.sandbox.company.workhours import add_working_time

_WORKED = ("mql", "sal")


class SalesTeam:
    def __init__(
        self,
        crm: CrmPort,
        seed: int,
        *,
        profile: SimulationProfile,
        reps: Mapping[str, Rep],
        personas: Mapping[str, str],
        agenda: Agenda,
    ) -> None:
        self.crm = crm
        self.seed = seed
        self.profile = profile
        self.reps = reps
        self.personas = personas
        self.agenda = agenda
        self._planned: set[tuple[str, str]] = set()

    def plan(self, now: datetime) -> None:
        """Find leads handoff has routed (or qualified) since the last look and plan the reps'
        reactions, timed from when handoff wrote them (or ``now``, if that was earlier)."""
        for routed in self.crm.handoffs():
            if routed.rep not in self.reps or routed.stage not in ("mql", "sal", "sql"):
                continue
            key = "opportunity" if routed.stage == "sql" else routed.rep
            if (routed.lead, key) in self._planned:
                continue
            self._planned.add((routed.lead, key))
            rep, base = self.reps[routed.rep], max(routed.at, now)
            if routed.stage == "sql":
                self._plan_opportunity(routed.lead, rep, base)
            else:
                self._plan_lead(routed.lead, rep, base)

    def _rng(self, *parts: object) -> random.Random:
        return keyed_rng("sim", self.seed, *parts)

    def _plan_lead(self, lead: str, rep: Rep, base: datetime) -> None:
        persona = self.personas.get(rep.id, RESPONSIVE)
        rng = self._rng("plan", lead, rep.id)
        if persona == NEVER:
            self.crm.apply(LeadIgnored(base, lead, rep.id))
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
        view = self.crm.lead(lead)
        obvious = view is not None and obvious_reason(view) is not None
        rejecting = obvious or rng.random() < self.profile.rejection_rate
        if rejecting and obvious:
            self.agenda.plan(accept_at, lambda at: self._reject(at, lead, rep, rng))
            return
        self.agenda.plan(accept_at, lambda at: self._accept(at, lead, rep))
        self.agenda.plan(touch_at, lambda at: self._first_touch(at, lead, rep, rng))
        if rejecting:
            self.agenda.plan(outcome_at, lambda at: self._reject(at, lead, rep, rng))
        else:
            count = 3 if rng.random() < self.profile.three_of_four else 4
            self.agenda.plan(outcome_at, lambda at: self._document(at, lead, rep, rng, count))

    def _plan_opportunity(self, lead: str, rep: Rep, base: datetime) -> None:
        rng = self._rng("opportunity", lead)
        if rng.random() >= self.profile.opportunity_rate:
            return
        at = add_working_time(base, timedelta(hours=rng.uniform(4, 24)), rep.timezone)
        deal = keyed_rng("sim", self.seed, "deal", lead)
        amount = deal_amount(deal)
        closes = deal.random() < self.profile.close_rate
        won = deal.random() < self.profile.win_rate
        after = timedelta(days=deal.uniform(*self.profile.close_days))

        def convert(moment: datetime) -> None:
            if not self._still_owned(lead, rep, stages=("sql",)):
                return
            self.crm.apply(OpportunityCreated(moment, lead, rep.id))
            self.crm.apply(DealOpened(moment, lead, rep.id, data.DEAL_NAME, amount))
            if closes:
                final = amount if not won else round(amount * deal.uniform(0.8, 1.1), -2)
                self.agenda.plan(
                    moment + after,
                    lambda then: self.crm.apply(DealClosed(then, lead, rep.id, won, int(final))),
                )

        self.agenda.plan(at, convert)

    def _still_owned(self, lead: str, rep: Rep, stages: tuple[str, ...] = _WORKED) -> bool:
        view = self.crm.lead(lead)
        return view is not None and view.owner == rep.id and view.stage in stages

    def _accept(self, at: datetime, lead: str, rep: Rep) -> None:
        view = self.crm.lead(lead)
        if view is None or view.accepted:
            return
        if view.owner == rep.id and view.stage in _WORKED:
            self.crm.apply(LeadAccepted(at, lead, rep.id))
            # Reps tick off the follow-up tasks handoff created for them once they act.
            for task in self.crm.open_tasks(lead, rep.id):
                self.crm.apply(TaskCompleted(at, lead, rep.id, task))

    def _first_touch(self, at: datetime, lead: str, rep: Rep, rng: random.Random) -> None:
        if not self._still_owned(lead, rep):
            return
        if rng.random() < 0.6:
            duration = timedelta(milliseconds=rng.randrange(120_000, 1_200_000))
            notes = "Introduced Acme Analytics; booked a discovery call."
            self.crm.apply(CallLogged(at, lead, rep.id, "First call", duration, notes, first_touch=True))
        else:
            subject = "Your demo request at Acme Analytics"
            text = "Thanks for reaching out; here are a few times for a call."
            self.crm.apply(EmailLogged(at, lead, rep.id, subject, text, first_touch=True))

    def _document(self, at: datetime, lead: str, rep: Rep, rng: random.Random, count: int) -> None:
        if not self._still_owned(lead, rep):
            return
        fields = self.crm.evidence_fields()
        items = [item for item in Evidence if item in fields]
        rng.shuffle(items)
        evidence: list[tuple[Evidence, EvidenceValue]] = []
        for item in sorted(items[:count]):
            value = evidence_value(fields[item], item, at, rng)
            if value is not None:
                evidence.append((item, value))
        if evidence:
            self.crm.apply(EvidenceDocumented(at, lead, rep.id, tuple(evidence)))

    def _reject(self, at: datetime, lead: str, rep: Rep, rng: random.Random) -> None:
        view = self.crm.lead(lead)
        if view is None or view.owner != rep.id or view.stage not in _WORKED:
            return
        allowed = self.crm.rejection_reasons()
        obvious = obvious_reason(view)
        lazy = obvious is None and rng.random() < self.profile.reject_without_reason
        reason: str | None = None
        if allowed is not None and not lazy:
            reason = obvious or rng.choice(JUDGEMENT_CALLS)
            if allowed and reason not in allowed:
                reason = rng.choice(allowed)
        self.crm.apply(LeadRejected(at, lead, rep.id, reason))
