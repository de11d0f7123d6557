"""Routing: who works a qualified lead, decided again only when something makes it necessary.

A lead is routed when it becomes an MQL, when an MQL, SAL or SQL has no owner or its owner was
deactivated or removed from the CRM, when it waits in the policy's queue (a rep may be free now),
and when its rep has not acted within `sla.escalate_after` of business time. Leads below MQL are
never routed. The search, in order: the account's owner; the round robin of the team the rules
pick; the fallback teams' round robins; the queue or the manager. Every candidate passed over is
recorded with why, so the reason answers "why me?" and "why not me?".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from handoff.config.business_time import format_duration
from handoff.config.vocabulary import Stage
from handoff.lifecycle.assignment import Assignment, RouteMethod, RouteTrigger, Skip, SkipReason
from handoff.lifecycle.business_time import BusinessCalendar
from handoff.lifecycle.records import Activity, Contact, Owner
from handoff.lifecycle.roster import RoutingContext
from handoff.lifecycle.routing_plan import RoutingPlan, Seat, TeamPlan
from handoff.lifecycle.routing_state import NO_REPS, RepLoad, RoutingState
from handoff.lifecycle.touches import first_touch

ROUTED_STAGES = frozenset({Stage.MQL, Stage.SAL, Stage.SQL})
_NO_OWNER_NOTE = "no CRM owner has this email"
_INACTIVE = (SkipReason.INACTIVE, "deactivated in the CRM")
_ALREADY_HAD_IT = (SkipReason.ALREADY_HAD_IT, "escalated away from them before")
_PAUSED = (SkipReason.PAUSED, "weight 0 in the policy")
# The rotation records a skip per rep passed over; tuple.__new__ skips the NamedTuple's Python-level
# constructor, which costs more than the rest of the check.
_new = tuple.__new__


class OwnerOutcome(NamedTuple):
    """The owner after an evaluation, with what the runtime must persist for the next one."""

    owner_id: str | None
    assigned_at: datetime | None
    escalated_from: tuple[str, ...]
    assignment: Assignment | None
    state: RoutingState
    escalation_due_at: datetime | None = None
    problem: str | None = None


class _Found(NamedTuple):
    method: RouteMethod
    owner: Owner
    team: str
    state: RoutingState
    note: str


def decide_owner(
    plan: RoutingPlan,
    context: RoutingContext,
    contact: Contact,
    activities: Sequence[Activity],
    *,
    stage: Stage,
    became_mql: bool,
    mql_at: datetime | None,
    now: datetime,
) -> OwnerOutcome:
    """The owner of `contact` once it is at `stage` (after this evaluation's stage moves).

    `became_mql` says this evaluation made it an MQL; `mql_at` is when it became one (now, or
    the persisted entry time), from which its owner must act.
    """
    outcome = OwnerOutcome(
        contact.owner_id, contact.owner_assigned_at, contact.escalated_from, None, context.state
    )
    if stage not in ROUTED_STAGES:
        return outcome
    if became_mql:  # a new MQL episode: earlier escalations are history
        outcome = outcome._replace(escalated_from=())
    owner = context.roster.by_id.get(contact.owner_id) if contact.owner_id else None
    waiting = stage is Stage.MQL and not contact.accepted and not contact.rejected
    trigger: RouteTrigger | None = None
    if contact.owner_id is None:
        trigger = RouteTrigger.NEW_MQL if became_mql else RouteTrigger.NO_OWNER
    elif owner is None:
        trigger = RouteTrigger.OWNER_REMOVED
    elif not owner.active:
        trigger = RouteTrigger.OWNER_INACTIVE
    elif became_mql:
        kept = _kept(plan, contact, owner, now)
        if kept is None:
            trigger = RouteTrigger.NEW_MQL
        else:
            outcome = outcome._replace(assignment=kept)
    elif waiting and plan.is_queue(owner):
        if len(contact.escalated_from) <= plan.max_escalations:
            trigger = RouteTrigger.QUEUED
    elif waiting:
        start = _start(outcome.assigned_at, mql_at)
        due = _escalation_due(
            plan, owner, contact.escalated_from, start, context.watching_since, activities=activities, now=now
        )
        if due is not None and now >= due:
            trigger = RouteTrigger.ESCALATION
    if trigger is not None:
        rerouted = _reroute(plan, context, contact, owner, outcome.escalated_from, trigger=trigger, now=now)
        if trigger is not RouteTrigger.QUEUED or rerouted.owner_id != contact.owner_id:
            outcome = rerouted  # a lead still waiting in the queue is no news
    if not waiting or outcome.owner_id is None:
        return outcome
    new_owner = context.roster.by_id.get(outcome.owner_id)
    start = _start(outcome.assigned_at, mql_at)
    due = _escalation_due(
        plan, new_owner, outcome.escalated_from, start, context.watching_since, activities=activities, now=now
    )
    return outcome._replace(escalation_due_at=due if due is not None and due > now else None)


def _start(assigned_at: datetime | None, mql_at: datetime | None) -> datetime | None:
    """The owner must act from the later of their assignment and the MQL entry."""
    known = [moment for moment in (assigned_at, mql_at) if moment is not None]
    return max(known) if known else None


def _escalation_due(
    plan: RoutingPlan,
    owner: Owner | None,
    escalated_from: tuple[str, ...],
    start: datetime | None,
    since: datetime | None,
    *,
    activities: Sequence[Activity],
    now: datetime,
) -> datetime | None:
    """When the owner's time to act runs out; None when they acted or are not escalated at all.

    Only reps of a routing team are escalated (a queue waits for a rep, a manager is the end of
    the line), and a lead already escalated past the limit stays where it is. The time runs
    from `start`, or from `since` (go-live) when the owner had the lead before handoff watched;
    a touch since `start` counts either way.
    """
    after = plan.escalate_after
    seat = plan.seat_of(owner.email) if owner is not None else None
    if after is None or seat is None or owner is None or start is None:
        return None
    if len(escalated_from) > plan.max_escalations:
        return None
    if start < now and first_touch(activities, (owner.id,), start, now) is not None:
        return None
    counted_from = max(start, since) if since is not None else start
    return datetime.fromtimestamp(seat.calendar.add(counted_from.timestamp(), after), UTC)


def _kept(plan: RoutingPlan, contact: Contact, owner: Owner, now: datetime) -> Assignment | None:
    """A new MQL already owned by an available rep of a routing team stays with them."""
    seat = plan.seat_of(owner.email)
    if seat is None or owner.queue or owner.away(now) is not None:
        return None
    lead_team, rule = plan.lead_team(contact)
    team = plan.teams[seat.team]
    return Assignment(
        trigger=RouteTrigger.NEW_MQL,
        method=RouteMethod.KEPT,
        owner_id=owner.id,
        owner=owner.label,
        team=seat.team,
        lead_team=lead_team,
        rule=rule,
        tried=(),
        skipped=(),
        escalations=0,
        outcome=f"New MQL: stays with its owner {owner.label} ({team.name})",
    )


def _reroute(
    plan: RoutingPlan,
    context: RoutingContext,
    contact: Contact,
    owner: Owner | None,
    before: tuple[str, ...],
    *,
    trigger: RouteTrigger,
    now: datetime,
) -> OwnerOutcome:
    """Search for the owner; an escalation adds the current owner to the ones passed over."""
    escalated_from = before
    limit_reached = False
    if trigger is RouteTrigger.ESCALATION and owner is not None:
        limit_reached = len(before) >= plan.max_escalations
        escalated_from = (*before, owner.id)
    lead_team, rule = plan.lead_team(contact)
    search = _Search(plan, context, contact, frozenset(escalated_from), now)
    found = search.run(plan.teams[lead_team], limit_reached)
    prefix = _prefix(plan, contact, owner, trigger, len(escalated_from))
    if found is None:
        reason = f"{prefix} → nobody can take it"
        assignment = Assignment(
            trigger,
            RouteMethod.NONE,
            contact.owner_id,
            owner.label if owner else contact.owner_id,
            None,
            lead_team,
            rule,
            tuple(search.tried),
            tuple(search.skipped),
            len(escalated_from),
            reason,
        )
        problem = (
            "Routing found nobody: no eligible rep, and no queue or manager of the policy is an "
            "active CRM owner. Add the queue to the CRM or fix [routing] in the policy."
        )
        return OwnerOutcome(
            contact.owner_id, contact.owner_assigned_at, before, assignment, context.state, None, problem
        )
    target = _target(plan, lead_team, rule, found, search=search, limit=limit_reached)
    changed = found.owner.id != contact.owner_id
    assignment = Assignment(
        trigger,
        found.method,
        found.owner.id,
        found.owner.label,
        found.team,
        lead_team,
        rule,
        tuple(search.tried),
        tuple(search.skipped),
        len(escalated_from),
        f"{prefix} → {target}",
    )
    assigned_at = now if changed else contact.owner_assigned_at
    return OwnerOutcome(found.owner.id, assigned_at, escalated_from, assignment, found.state)


def _prefix(
    plan: RoutingPlan, contact: Contact, owner: Owner | None, trigger: RouteTrigger, escalations: int
) -> str:
    who = owner.label if owner is not None else contact.owner_id
    if trigger is RouteTrigger.NEW_MQL:
        return "New MQL"
    if trigger is RouteTrigger.NO_OWNER:
        return "No owner"
    if trigger is RouteTrigger.OWNER_INACTIVE:
        return f"Owner {who} is deactivated in the CRM"
    if trigger is RouteTrigger.OWNER_REMOVED:
        return f"Owner {who} is no longer in the CRM"
    if trigger is RouteTrigger.QUEUED:
        return f"Waiting in {who}"
    after = format_duration(int((plan.escalate_after or 0) // 60))
    limit = plan.max_escalations
    count = (
        f"Escalation {escalations} of {limit}"
        if escalations <= limit
        else f"Escalation limit of {limit} reached"
    )
    return f"{count}: {who} did not accept or touch the lead within {after} of business time"


def _target(
    plan: RoutingPlan, lead_team: str, rule: str | None, found: _Found, *, search: _Search, limit: bool
) -> str:
    team = plan.teams[lead_team]
    routed = f"{team.name} ({f'rule {rule!r}' if rule else 'default team'})"
    who = found.owner.label
    if found.method is RouteMethod.ACCOUNT:
        return f"{who}, {found.note}"
    if found.method is RouteMethod.ROUND_ROBIN:
        return f"{routed}: {who} by round robin, {found.note}"
    if found.method is RouteMethod.FALLBACK:
        fallback = plan.teams[found.team].name
        return f"{routed}: nobody eligible; fallback {fallback}: {who} by round robin, {found.note}"
    if limit:
        return f"{found.method.value} {who} ({team.name}), where escalation stops"
    tried = ", ".join(plan.teams[team_id].name for team_id in search.tried)
    return f"{routed}: nobody eligible in {tried}; {found.method.value} {who}"


class _Search:
    """One routing attempt: candidates in order, every one passed over recorded with why."""

    def __init__(
        self,
        plan: RoutingPlan,
        context: RoutingContext,
        contact: Contact,
        exclude: frozenset[str],
        now: datetime,
    ) -> None:
        self.plan = plan
        self.context = context
        self.contact = contact
        self.exclude = exclude
        self.now = now
        self.at = now.timestamp()
        self.tried: list[str] = []
        self.skipped: list[Skip] = []
        # The account owner passed over (team, email): their team's rotation does not name them twice.
        self.account_skip: tuple[str, str] | None = None
        self.calendars: dict[BusinessCalendar, tuple[bool, int]] = {}

    def run(self, team: TeamPlan, limit_reached: bool) -> _Found | None:
        if limit_reached:
            return self.last_resort(team, prefer_manager=True)
        found = self.account()
        if found is not None:
            return found
        for team_id in (team.id, *team.fallback):
            self.tried.append(team_id)
            found = self.rotation(self.plan.teams[team_id])
            if found is not None:
                return found if team_id == team.id else found._replace(method=RouteMethod.FALLBACK)
        return self.last_resort(team, prefer_manager=False)

    def account(self) -> _Found | None:
        domain = self.contact.company_domain
        owner_id = self.context.account_owners.get(domain) if domain and self.plan.account_match else None
        if owner_id is None or domain is None:
            return None
        owner = self.context.roster.by_id.get(owner_id)
        if owner is None:
            self.skip(owner_id, None, SkipReason.NOT_IN_CRM, f"account owner of {domain}")
            return None
        seat = self.plan.seat_of(owner.email)
        if seat is None:
            self.skip(owner.label, None, SkipReason.NOT_IN_A_TEAM, f"account owner of {domain}")
            return None
        state = self.context.state
        rep = state.rep(seat.team, seat.email)
        problem = self.ineligible(seat, owner, rep)
        if problem is not None:
            self.skip(owner.label, seat.team, problem[0], f"account owner of {domain}; {problem[1]}")
            self.account_skip = (seat.team, seat.email)
            return None
        team = state.team(seat.team)
        load = max(rep.load if rep is not None else 0.0, team.level if team is not None else 0.0) + seat.step
        after = state.assigned(seat.team, seat.email, day=self.day(seat), at=self.at, load=load, level=None)
        return _Found(RouteMethod.ACCOUNT, owner, seat.team, after, f"owner of the account {domain}")

    def rotation(self, team: TeamPlan) -> _Found | None:
        """Weighted round robin: the eligible rep with the least load, the longest-waiting on a tie."""
        if not any(self.now_on(calendar)[0] for calendar in team.calendars):
            who = f"{team.name} (all {len(team.seats)} reps)"
            self.skipped.append(_new(Skip, (who, team.id, SkipReason.OFF_HOURS, team.closed_note)))
            return None
        state = self.context.state
        team_load = state.team(team.id)
        level = team_load.level if team_load is not None else 0.0
        reps = team_load.reps if team_load is not None else NO_REPS
        owners = self.context.roster.emails
        skipped = self.skipped
        best: tuple[float, float, int] | None = None
        chosen: tuple[Seat, Owner, RepLoad | None] | None = None
        eligible = 0
        for seat in team.seats:
            owner = owners.get(seat.email)
            if owner is None:
                skipped.append(_new(Skip, (seat.email, team.id, SkipReason.NOT_IN_CRM, _NO_OWNER_NOTE)))
                continue
            rep = reps.get(seat.email)
            problem = self.ineligible(seat, owner, rep)
            if problem is not None:
                if (team.id, seat.email) != self.account_skip:
                    skipped.append(_new(Skip, (seat.email, team.id, *problem)))
                continue
            eligible += 1
            load = rep.load if rep is not None and rep.load > level else level
            last = rep.last_assigned_at if rep is not None and rep.last_assigned_at is not None else -1.0
            key = (load, last, seat.index)
            if best is None or key < best:
                best, chosen = key, (seat, owner, rep)
        if best is None or chosen is None:
            return None
        seat, owner, rep = chosen
        start = best[0]
        day = self.day(seat)
        after = state.assigned(team.id, seat.email, day=day, at=self.at, load=start + seat.step, level=start)
        total = rep.total if rep is not None else 0
        earlier = f"{total} lead{'' if total == 1 else 's'} before"
        note = f"least loaded of {eligible} eligible ({earlier}, weight {seat.weight})"
        return _Found(RouteMethod.ROUND_ROBIN, owner, team.id, after, note)

    def ineligible(self, seat: Seat, owner: Owner, rep: RepLoad | None) -> tuple[SkipReason, str] | None:
        if not owner.active:
            return _INACTIVE
        if owner.id in self.exclude:
            return _ALREADY_HAD_IT
        if not seat.weight:
            return _PAUSED
        if owner.out_of_office:
            away = owner.away(self.now)
            if away is not None:
                return SkipReason.OUT_OF_OFFICE, f"until {away.end.isoformat()}"
        is_open, today = self.now_on(seat.calendar)
        if not is_open:
            return SkipReason.OFF_HOURS, seat.hours_note
        if seat.capacity is not None and rep is not None and rep.day == today and rep.today >= seat.capacity:
            return SkipReason.AT_CAPACITY, f"{rep.today} of {seat.capacity} today"
        return None

    def now_on(self, calendar: BusinessCalendar) -> tuple[bool, int]:
        """Whether the calendar works now, and its local date; asked once per calendar, as reps share them."""
        found = self.calendars.get(calendar)
        if found is None:
            found = self.calendars[calendar] = (calendar.is_open(self.at), calendar.day_of(self.at).ordinal)
        return found

    def day(self, seat: Seat) -> int:
        """The rep's local date now, which their daily capacity counts in."""
        return self.now_on(seat.calendar)[1]

    def last_resort(self, team: TeamPlan, prefer_manager: bool) -> _Found | None:
        """The queue (leads wait there for a free rep) or the manager (decides); never unassigned."""
        candidates = [(RouteMethod.QUEUE, team.queue), (RouteMethod.MANAGER, team.manager)]
        if prefer_manager:
            candidates.reverse()
        for method, reference in candidates:
            if reference is None:
                continue
            owner = self.context.roster.find(reference)
            if owner is None:
                self.skip(
                    reference, team.id, SkipReason.NOT_IN_CRM, f"{method.value}; no CRM owner by that name"
                )
                continue
            problem = self._unavailable(method, owner)
            if problem is not None:
                self.skip(reference, team.id, problem[0], f"{method.value}; {problem[1]}")
                continue
            return _Found(method, owner, team.id, self.context.state, "")
        return None

    def _unavailable(self, method: RouteMethod, owner: Owner) -> tuple[SkipReason, str] | None:
        if not owner.active:
            return _INACTIVE
        if method is RouteMethod.QUEUE:
            return None
        if owner.id in self.exclude:
            return _ALREADY_HAD_IT
        away = owner.away(self.now)
        return (SkipReason.OUT_OF_OFFICE, f"until {away.end.isoformat()}") if away is not None else None

    def skip(self, who: str, team: str | None, reason: SkipReason, detail: str) -> None:
        self.skipped.append(Skip(who, team, reason, detail))
