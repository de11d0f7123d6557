"""Replaying a lead's history under a policy: what handoff would have decided at each moment, from
what it had seen by then and nothing later.

A lead's timeline is what the store kept of it: each version of the contact with the time handoff
first saw it, and each activity with the time it arrived. The replay decides the lead at every
moment something arrived, and at the checks its own decisions asked for (an SLA clock falling
due), through `decide_within`, the live run's own loop, threading the memory the replay itself
builds. A version or an activity seen after a moment cannot reach the decision at that moment:
that is what keeps a backtest from peeking at the future.

What the replay reads of the CRM is the contact as the CRM held it, except what the live policy
wrote into it: the stage and owner are the replay's own (as if its writes had landed at once;
none until the replay assigns one), and the dates the CRM stamped when the live policy moved or
assigned the lead (stage entries, the owner's assignment) and the escalation trail are dropped:
the replay's memory keeps its own. Otherwise a lead the live policy made an MQL would stay one under
any policy. A stage the CRM owns (a deal made it an opportunity) stays, as in the live run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handoff.config.policy import Policy
from handoff.config.vocabulary import Stage
from handoff.lifecycle.decide import Lead, decide_within
from handoff.lifecycle.decision import Decision, Reason
from handoff.lifecycle.memory import NEW_LEAD, LeadMemory
from handoff.lifecycle.outputs import FieldValues, OutputField, with_outputs
from handoff.lifecycle.records import Activity, Contact
from handoff.lifecycle.roster import RoutingContext

# Stages a lead reaches only by passing the MQL bar (or, for a rep's evidence, by skipping it).
QUALIFIED_STAGES = (Stage.MQL, Stage.SAL, Stage.SQL)

# A replay that keeps asking to be looked at again (a clock due every minute) is cut off here
# rather than run for ever; the cut is reported with the lead.
MOMENTS_PER_LEAD = 5_000


@dataclass(frozen=True, slots=True)
class Timeline:
    """What handoff kept of one lead: the contact's versions with the time each was first seen,
    oldest first, and its activities with the time each arrived, in order of arrival."""

    contact_id: str
    versions: tuple[tuple[datetime, Contact], ...]
    activities: tuple[tuple[datetime, Activity], ...] = ()


@dataclass(frozen=True, slots=True)
class Moved:
    """A stage move the replay made, when, and the rule that made it."""

    at: datetime
    from_stage: Stage | None
    to_stage: Stage
    reason: Reason


@dataclass(frozen=True, slots=True)
class Replayed:
    """A lead's life under one policy: its moves, its stage at the end, how many moments were
    decided, whether the replay was cut off, and every reason of the decision that first took it
    over the MQL bar (fit, behaviour and the stage rule: what a reviewer wants to see)."""

    contact_id: str
    moves: tuple[Moved, ...]
    stage: Stage | None
    moments: int
    cut_off: bool = False
    qualified_reasons: tuple[Reason, ...] = ()
    owner_id: str | None = None

    def first_entry(self, stages: Sequence[Stage]) -> Moved | None:
        """The first move into any of these stages."""
        return next((move for move in self.moves if move.to_stage in stages), None)

    @property
    def qualified(self) -> Moved | None:
        """The move that first took the lead over the MQL bar (into MQL, or past it)."""
        return self.first_entry(QUALIFIED_STAGES)


def replay(
    timeline: Timeline,
    policy: Policy,
    until: datetime,
    context: RoutingContext,
    *,
    retention: timedelta,
) -> tuple[Replayed, RoutingContext]:
    """The lead decided at each moment up to `until`, and the routing context after it."""
    arrivals = sorted({seen for seen, _ in timeline.versions} | {seen for seen, _ in timeline.activities})
    pending = [moment for moment in arrivals if moment <= until]
    memory: LeadMemory = NEW_LEAD
    last: Decision | None = None
    moves: list[Moved] = []
    moments = 0
    why: tuple[Reason, ...] = ()
    check: datetime | None = None
    while pending or check is not None:
        if moments >= MOMENTS_PER_LEAD:
            cut = Replayed(
                timeline.contact_id,
                tuple(moves),
                last.stage if last else None,
                moments,
                True,
                why,
                last.owner_id if last else None,
            )
            return cut, context
        moment = _next_moment(pending, check)
        check = None if check is not None and check <= moment else check
        contact = _contact_at(timeline, moment)
        if contact is None:
            continue
        crm = _outputs_of(last)
        lead = Lead(
            _as_replayed(contact, crm),
            _activities_at(timeline, moment, retention),
            crm,
            memory,
        )
        (decision,), context = decide_within([lead], policy, moment, context)
        moments += 1
        if not why and any(m.to_stage in QUALIFIED_STAGES for m in decision.moves):
            why = decision.reasons
        moves.extend(Moved(moment, m.from_stage, m.to_stage, m.reason) for m in decision.moves)
        memory = (decision.memory or memory).with_pending({})
        last = decision
        following = decision.next_check_at
        if following is not None and moment < following <= until:
            check = following if check is None else min(check, following)
    ended = Replayed(
        timeline.contact_id,
        tuple(moves),
        last.stage if last else None,
        moments,
        False,
        why,
        last.owner_id if last else None,
    )
    return ended, context


def _next_moment(pending: list[datetime], check: datetime | None) -> datetime:
    """The earliest of the next arrival and the next check the last decision asked for."""
    if check is None or (pending and pending[0] <= check):
        return pending.pop(0)
    return check


def _contact_at(timeline: Timeline, moment: datetime) -> Contact | None:
    """The latest version seen by `moment`."""
    found = None
    for seen, contact in timeline.versions:
        if seen > moment:
            break
        found = contact
    return found


def _activities_at(timeline: Timeline, moment: datetime, retention: timedelta) -> list[Activity]:
    """The activities arrived by `moment` that the live run would still have kept then."""
    oldest = moment - retention
    return sorted(
        (
            activity
            for arrived, activity in timeline.activities
            if arrived <= moment and oldest <= activity.occurred_at <= moment
        ),
        key=lambda a: (a.occurred_at, a.id),
    )


def _outputs_of(decision: Decision | None) -> FieldValues:
    """What the CRM holds of the replay's outputs: its last decision's stage and owner, written
    (no owner before the replay's first decision, nor while it has assigned none)."""
    if decision is None:
        return {OutputField.OWNER: None}
    return {OutputField.STAGE: decision.stage.value, OutputField.OWNER: decision.owner_id}


def _as_replayed(contact: Contact, crm: Mapping[OutputField, str | None]) -> Contact:
    """The version with the live policy's marks taken off and the replay's outputs on."""
    if contact.stage_entered_at or contact.mql_at or contact.sal_at or contact.sql_at:
        contact = dataclasses.replace(contact, stage_entered_at=None, mql_at=None, sal_at=None, sql_at=None)
    if contact.owner_assigned_at or contact.escalated_from:
        contact = dataclasses.replace(contact, owner_assigned_at=None, escalated_from=())
    return with_outputs(contact, crm)
