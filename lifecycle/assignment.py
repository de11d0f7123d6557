"""Why a lead has its owner: the trigger, the method, the team, and who was passed over and why.

Kept as fields, not only prose, so the runtime can tell a first assignment from an escalation
when it compares two decisions, and a rep asking "why me?" gets the whole chain in one line.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class RouteTrigger(StrEnum):
    """What made handoff decide the owner in this evaluation."""

    NEW_MQL = "new_mql"
    NO_OWNER = "no_owner"
    OWNER_INACTIVE = "owner_inactive"
    OWNER_REMOVED = "owner_removed"
    QUEUED = "queued"
    ESCALATION = "escalation"


class RouteMethod(StrEnum):
    """How the owner was found."""

    KEPT = "kept"
    ACCOUNT = "account"
    ROUND_ROBIN = "round_robin"
    FALLBACK = "fallback"
    QUEUE = "queue"
    MANAGER = "manager"
    NONE = "none"


class SkipReason(StrEnum):
    NOT_IN_CRM = "not_in_crm"
    NOT_IN_A_TEAM = "not_in_a_team"
    INACTIVE = "inactive"
    ALREADY_HAD_IT = "already_had_it"
    PAUSED = "paused"
    OUT_OF_OFFICE = "out_of_office"
    OFF_HOURS = "off_hours"
    AT_CAPACITY = "at_capacity"


class Skip(NamedTuple):
    """A candidate passed over: who (email, queue name or owner id), in which team, and why."""

    who: str
    team: str | None
    reason: SkipReason
    detail: str

    def __str__(self) -> str:
        return f"{self.who} ({self.reason.value.replace('_', ' ')}: {self.detail})"


_SKIPS_IN_REASON = 4


class Assignment(NamedTuple):
    """The routing of one lead in one evaluation.

    `team` is the team whose rep, queue or manager got the lead; `lead_team` the team its rules
    picked (`rule` is the rule's label, None for the default team); `tried` the teams whose
    rotation was tried, in order; `escalations` how often the lead has been escalated so far;
    `outcome` the trigger and the result in words, which `reason` completes with who was passed over.
    """

    trigger: RouteTrigger
    method: RouteMethod
    owner_id: str | None
    owner: str | None
    team: str | None
    lead_team: str | None
    rule: str | None
    tried: tuple[str, ...]
    skipped: tuple[Skip, ...]
    escalations: int
    outcome: str

    @property
    def escalated(self) -> bool:
        return self.trigger is RouteTrigger.ESCALATION

    @property
    def reason(self) -> str:
        """One line: why routing ran, where the lead went, and the first few passed over."""
        if not self.skipped:
            return self.outcome
        shown = "; ".join(str(skip) for skip in self.skipped[:_SKIPS_IN_REASON])
        more = len(self.skipped) - _SKIPS_IN_REASON
        return f"{self.outcome} · passed over: {shown}" + (f"; and {more} more" if more > 0 else "")
