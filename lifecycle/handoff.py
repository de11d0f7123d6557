"""The handoff step of an evaluation: the owner after the stage moves, then the SLA clocks.

Run only when the caller passes a routing context; kept apart from scoring so the benchmark can
time routing and SLA on their own, and so `evaluate` stays as it was for callers without one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from handoff.config.vocabulary import Stage
from handoff.lifecycle.business_time import BusinessCalendar
from handoff.lifecycle.clock import Clock
from handoff.lifecycle.decision import StageMove
from handoff.lifecycle.records import Activity, Contact
from handoff.lifecycle.roster import RoutingContext
from handoff.lifecycle.routing import OwnerOutcome, decide_owner
from handoff.lifecycle.routing_plan import RoutingPlan
from handoff.lifecycle.sla import SlaPlan, next_change, sla_clocks, stage_times


class Handoff(NamedTuple):
    owner: OwnerOutcome
    clocks: tuple[Clock, ...]
    next_check_at: datetime | None


def hand_off(
    routing: RoutingPlan | None,
    sla: SlaPlan | None,
    context: RoutingContext,
    contact: Contact,
    activities: Sequence[Activity],
    *,
    stage: Stage,
    moves: Sequence[StageMove],
    now: datetime,
) -> Handoff:
    times = stage_times(contact, moves, now)
    if routing is None:
        owner = OwnerOutcome(
            contact.owner_id, contact.owner_assigned_at, contact.escalated_from, None, context.state
        )
    else:
        became_mql = any(move.to_stage is Stage.MQL for move in moves)
        owner = decide_owner(
            routing,
            context,
            contact,
            activities,
            stage=stage,
            became_mql=became_mql,
            mql_at=times.mql_at,
            now=now,
        )
    clocks: tuple[Clock, ...] = ()
    if sla is not None:
        calendar = _calendar(routing, sla, context, contact, owner)
        owners = {owner_id for owner_id in (owner.owner_id, contact.owner_id) if owner_id}
        owners.update(owner.escalated_from)
        clocks = sla_clocks(
            sla,
            calendar,
            contact,
            activities,
            stage=stage,
            times=times,
            owners=owners,
            now=now,
            since=context.watching_since,
        )
    upcoming = [moment for moment in (next_change(clocks, now), owner.escalation_due_at) if moment]
    return Handoff(owner, clocks, min(upcoming) if upcoming else None)


def _calendar(
    routing: RoutingPlan | None,
    sla: SlaPlan,
    context: RoutingContext,
    contact: Contact,
    outcome: OwnerOutcome,
) -> BusinessCalendar:
    """The owning team's calendar: the owner's team, else the team the rules pick for the lead."""
    if routing is None:
        return sla.calendar
    owner = context.roster.by_id.get(outcome.owner_id) if outcome.owner_id else None
    seat = routing.seat_of(owner.email) if owner is not None else None
    if seat is not None:
        return routing.teams[seat.team].calendar
    routed = outcome.assignment.lead_team if outcome.assignment is not None else None
    return routing.teams[routed or routing.lead_team(contact)[0]].calendar
