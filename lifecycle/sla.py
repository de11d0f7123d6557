"""SLA clocks: first touch, acceptance, discovery and follow-up, in business time on the owning
team's calendar.

Each clock starts at a stage entry (first touch, acceptance and follow-up at MQL, discovery at SAL)
and is met by the CRM event that proves it: a call, email or meeting logged by the owner, the rep's
acceptance, the qualification evidence, the owner's Nth touch (or the evidence, if the lead
qualified before the Nth). Direct inquiries (a demo or contact request that led to
the MQL) get the shorter first-touch time. Statuses are recomputed from `now` at every
evaluation, which is how a clock turns due_soon, then breached, with nothing else changing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from handoff.config.policy import Policy
from handoff.config.vocabulary import ActivityKind, Stage
from handoff.lifecycle.business_time import BusinessCalendar
from handoff.lifecycle.clock import Clock, ClockName, ClockStatus
from handoff.lifecycle.decision import StageMove
from handoff.lifecycle.records import Activity, Contact
from handoff.lifecycle.touches import first_touch, touches

CLOCKED_STAGES = frozenset({Stage.MQL, Stage.SAL, Stage.SQL})
FIRST_TOUCH = ClockName.FIRST_TOUCH

# (what met it, its reference such as an activity id, when); `when` is None if the CRM never said.
Met = tuple[str, str | None, datetime | None]


@dataclass(frozen=True, slots=True)
class SlaPlan:
    first_touch: float
    first_touch_inquiry: float | None
    inquiry_kinds: frozenset[ActivityKind]
    inquiry_window: timedelta
    accept: float | None
    discovery: float | None
    follow_up: float | None
    follow_up_touches: int
    due_soon: float
    calendar: BusinessCalendar


class StageTimes(NamedTuple):
    """When the lead entered MQL, SAL and SQL, as far as known after this evaluation."""

    mql_at: datetime | None
    sal_at: datetime | None
    sql_at: datetime | None


def compile_sla(policy: Policy) -> SlaPlan | None:
    sla = policy.sla
    if sla is None:
        return None
    return SlaPlan(
        first_touch=sla.first_touch * 60.0,
        first_touch_inquiry=sla.first_touch_inquiry * 60.0 if sla.first_touch_inquiry else None,
        inquiry_kinds=frozenset(sla.inquiry_activities),
        inquiry_window=timedelta(days=policy.behavior.window_days),
        accept=sla.accept_within * 60.0 if sla.accept_within else None,
        discovery=sla.discovery_within * 60.0 if sla.discovery_within else None,
        follow_up=sla.follow_up.within * 60.0 if sla.follow_up else None,
        follow_up_touches=sla.follow_up.touches if sla.follow_up else 0,
        due_soon=sla.due_soon * 60.0,
        calendar=BusinessCalendar(sla.timezone or policy.policy.timezone, sla.hours, sla.holidays),
    )


def stage_times(contact: Contact, moves: Sequence[StageMove], now: datetime) -> StageTimes:
    """When the lead entered MQL, SAL and SQL, as far as known after this evaluation.

    A move in this evaluation dates its stage `now`; otherwise the persisted entry times, and for
    the stage the contact is in, `stage_entered_at` when its entry time was not kept.
    """
    mql, sal, sql = contact.mql_at, contact.sal_at, contact.sql_at
    current = contact.stage
    if current is Stage.MQL:
        mql = mql or contact.stage_entered_at
    elif current is Stage.SAL:
        sal = sal or contact.stage_entered_at
    elif current is Stage.SQL:
        sql = sql or contact.stage_entered_at
    for move in moves:
        if move.to_stage is Stage.MQL:
            mql = now
        elif move.to_stage is Stage.SAL:
            sal = now
        elif move.to_stage is Stage.SQL:
            sql = now
    return StageTimes(mql, sal, sql)


def sla_clocks(
    plan: SlaPlan,
    calendar: BusinessCalendar,
    contact: Contact,
    activities: Sequence[Activity],
    *,
    stage: Stage,
    times: StageTimes,
    owners: Collection[str],
    now: datetime,
    since: datetime | None = None,
) -> tuple[Clock, ...]:
    """The clocks of a lead at `stage`; `owners` are the reps whose touches count (owner and past).

    A clock that started before `since` (go-live) counts from `since`; a touch or acceptance
    before it still meets the clock."""
    if stage not in CLOCKED_STAGES:
        return ()
    clock = _ClockMaker(plan, calendar, now, since)
    clocks: list[Clock] = []
    accepted = stage is not Stage.MQL
    mql_at, sal_at, sql_at = times
    if mql_at is not None:
        touch = first_touch(activities, owners, mql_at, now)
        met: Met | None = None
        if touch is not None:
            met = (touch.kind.value, touch.id, touch.occurred_at)
        elif stage is Stage.SQL:
            met = ("evidence", None, sql_at)
        if plan.first_touch_inquiry is not None and _inquiry(plan, activities, mql_at):
            clocks.append(
                clock(FIRST_TOUCH, "sla.first_touch_inquiry", plan.first_touch_inquiry, mql_at, met)
            )
        else:
            clocks.append(clock(FIRST_TOUCH, "sla.first_touch", plan.first_touch, mql_at, met))
        if plan.accept is not None:
            met = ("acceptance", contact.lead_status, contact.accepted_at or sal_at) if accepted else None
            clocks.append(clock(ClockName.ACCEPT, "sla.accept_within", plan.accept, mql_at, met))
        if plan.follow_up is not None:
            qualified_at = sql_at if stage is Stage.SQL else None
            met = _followed_up(plan, activities, owners, mql_at, now, sql_at=qualified_at)
            clocks.append(clock(ClockName.FOLLOW_UP, "sla.follow_up", plan.follow_up, mql_at, met))
    if plan.discovery is not None and accepted and sal_at is not None:
        met = ("evidence", None, sql_at) if stage is Stage.SQL else None
        clocks.append(clock(ClockName.DISCOVERY, "sla.discovery_within", plan.discovery, sal_at, met))
    return tuple(clocks)


def next_change(clocks: Sequence[Clock], now: datetime) -> datetime | None:
    """The next instant at which time alone changes a clock's status (due_soon, then breached)."""
    upcoming = [
        moment
        for clock in clocks
        if clock.open
        for moment in (clock.due_soon_at, clock.due_at)
        if moment > now
    ]
    return min(upcoming) if upcoming else None


def _followed_up(
    plan: SlaPlan,
    activities: Sequence[Activity],
    owners: Collection[str],
    mql_at: datetime,
    now: datetime,
    *,
    sql_at: datetime | None,
) -> Met | None:
    """The owner's Nth touch since MQL meets the follow-up; a lead that qualified first needs no more
    (whichever came first meets it)."""
    done = touches(activities, owners, mql_at, now)
    nth = done[plan.follow_up_touches - 1] if len(done) >= plan.follow_up_touches else None
    if sql_at is not None and (nth is None or sql_at < nth.occurred_at):
        return ("evidence", None, sql_at)
    if nth is not None:
        return (f"{plan.follow_up_touches} touches", nth.id, nth.occurred_at)
    return None


def _inquiry(plan: SlaPlan, activities: Sequence[Activity], mql_at: datetime) -> bool:
    """Whether the MQL came through a direct inquiry: one within the scoring window before it."""
    since = mql_at - plan.inquiry_window
    return any(
        activity.kind in plan.inquiry_kinds and since < activity.occurred_at <= mql_at
        for activity in activities
    )


class _ClockMaker:
    """Builds a lead's clocks; clocks sharing a start and a length share the calendar arithmetic."""

    def __init__(
        self, plan: SlaPlan, calendar: BusinessCalendar, now: datetime, since: datetime | None
    ) -> None:
        self.calendar = calendar
        self.due_soon = plan.due_soon
        self.now = now.timestamp()
        self.since = since
        self.instants: dict[tuple[float, float], tuple[float, datetime]] = {}

    def __call__(self, name: ClockName, rule: str, seconds: float, start: datetime, met: Met | None) -> Clock:
        if self.since is not None and start < self.since:
            start = self.since
        begin = start.timestamp()
        # Walk to "due soon" first, then the short rest of the way: one walk instead of two.
        soon, soon_at = self.after(begin, seconds - self.due_soon)
        due, due_at = self.after(soon, min(seconds, self.due_soon))
        if met is not None:
            status = ClockStatus.MET
        elif self.now >= due:
            status = ClockStatus.BREACHED
        elif self.now >= soon:
            status = ClockStatus.DUE_SOON
        else:
            status = ClockStatus.ON_TRACK
        met_by, met_ref, met_at = met if met is not None else (None, None, None)
        minutes = round(seconds / 60)
        label = self.calendar.label
        return Clock(name, rule, minutes, start, soon_at, due_at, status, label, met_by, met_ref, met_at)

    def after(self, begin: float, seconds: float) -> tuple[float, datetime]:
        """`seconds` of business time after `begin` (at once for none), as seconds and a datetime."""
        key = (begin, seconds)
        found = self.instants.get(key)
        if found is None:
            moment = self.calendar.add(begin, seconds) if seconds > 0 else begin
            found = self.instants[key] = (moment, datetime.fromtimestamp(moment, UTC))
        return found
