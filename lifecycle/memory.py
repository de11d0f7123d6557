"""What handoff remembers about a lead between decisions, passed into `evaluate` and handed back.

The CRM holds the lead as reps and marketing left it; it does not hold what only handoff knows:
when the lead entered each stage, when its owner got it and from whom it was escalated, when the
rep accepted it, which SLA clocks were already reported, and which of handoff's own writes the CRM
has not confirmed yet. Without the last of these a lead whose write
is still in the outbox would be routed a second time.

`recall` lays the memory over the contact as pulled (the engine reads one `Contact`); `remember`
builds the memory after a decision. Both are pure, so a replay of history rebuilds exactly what
the live run remembered.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from handoff.config.vocabulary import Stage
from handoff.lifecycle.clock import ClockName, ClockStatus
from handoff.lifecycle.outputs import OutputField, with_outputs
from handoff.lifecycle.records import Contact

if TYPE_CHECKING:
    from handoff.lifecycle.decision import Decision

# Stage entries the engine reads as their own contact attributes.
_ENTRY_ATTRIBUTES = {Stage.MQL: "mql_at", Stage.SAL: "sal_at", Stage.SQL: "sql_at"}


@dataclass(frozen=True, slots=True)
class LeadMemory:
    """A lead as handoff last decided it. The empty memory is a lead handoff has never decided.

    `stage`, `owner_id`, `owner_assigned_at` and `escalated_from` are the last decision's;
    `entered` dates each stage's latest entry; `accepted_at` is when the rep's acceptance was first
    seen; `clocks` are the SLA clocks' statuses as
    last decided (a change of status is news to tell the rep); `pending` holds the outputs handoff
    decided that the CRM has not confirmed yet.
    """

    stage: Stage | None = None
    entered: Mapping[Stage, datetime] = field(default_factory=dict)
    owner_id: str | None = None
    owner_assigned_at: datetime | None = None
    escalated_from: tuple[str, ...] = ()
    accepted_at: datetime | None = None
    clocks: Mapping[ClockName, ClockStatus] = field(default_factory=dict)
    pending: Mapping[OutputField, str | None] = field(default_factory=dict)

    @property
    def decided(self) -> bool:
        return self.stage is not None

    def with_pending(self, pending: Mapping[OutputField, str | None]) -> LeadMemory:
        return dataclasses.replace(self, pending=dict(pending))


NEW_LEAD = LeadMemory()


def recall(contact: Contact, memory: LeadMemory, now: datetime) -> Contact:
    """The contact as handoff last decided it: its unconfirmed writes over the CRM's values, and
    the times only handoff knows. The CRM's own dates win where it has them."""
    decided = with_outputs(contact, memory.pending)
    changes: dict[str, Any] = {}
    if memory.decided:
        stage = decided.stage
        if stage is not None and stage in memory.entered:
            changes["stage_entered_at"] = memory.entered[stage]
        for entered_stage, attribute in _ENTRY_ATTRIBUTES.items():
            if getattr(contact, attribute) is None and entered_stage in memory.entered:
                changes[attribute] = memory.entered[entered_stage]
        if memory.owner_id == decided.owner_id:
            changes["owner_assigned_at"] = contact.owner_assigned_at or memory.owner_assigned_at
            changes["escalated_from"] = memory.escalated_from
        changes["accepted_at"] = contact.accepted_at or memory.accepted_at
    if contact.accepted and changes.get("accepted_at", contact.accepted_at) is None:
        changes["accepted_at"] = now
    return dataclasses.replace(decided, **changes) if changes else decided


def remember(decision: Decision, contact: Contact, memory: LeadMemory) -> LeadMemory:
    """The memory after `decision`, made from `contact` as recalled; `pending` is left to the
    caller, who knows what the CRM holds."""
    entered = dict(memory.entered)
    # Entries handoff did not make itself (the lead was an MQL before handoff watched) are kept
    # too: once the lead moves on, the CRM no longer says when it entered the stage it left.
    known = [(stage, getattr(contact, attribute)) for stage, attribute in _ENTRY_ATTRIBUTES.items()]
    if contact.stage is not None:
        known.append((contact.stage, contact.stage_entered_at))
    for stage, moment in known:
        if moment is not None and stage not in entered:
            entered[stage] = moment
    for move in decision.moves:
        entered[move.to_stage] = decision.evaluated_at
    return LeadMemory(
        stage=decision.stage,
        entered=entered,
        owner_id=decision.owner_id,
        owner_assigned_at=decision.owner_assigned_at,
        escalated_from=decision.escalated_from,
        accepted_at=contact.accepted_at,
        clocks={clock.name: clock.status for clock in decision.clocks},
        pending=memory.pending,
    )
