"""What the engine decided about one lead, and why, in words a rep understands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from handoff.config.vocabulary import Stage
from handoff.lifecycle.assignment import Assignment
from handoff.lifecycle.clock import Clock, current_clock
from handoff.lifecycle.routing_state import RoutingState

if TYPE_CHECKING:
    from handoff.lifecycle.memory import LeadMemory
    from handoff.lifecycle.notices import Notice
    from handoff.lifecycle.outputs import FieldValues

STAGE_LABELS: dict[Stage, str] = {
    Stage.SUBSCRIBER: "Subscriber",
    Stage.LEAD: "Lead",
    Stage.MQL: "MQL",
    Stage.SAL: "SAL",
    Stage.SQL: "SQL",
    Stage.OPPORTUNITY: "Opportunity",
    Stage.CUSTOMER: "Customer",
    Stage.RECYCLED: "Recycled",
    Stage.DISQUALIFIED: "Disqualified",
}

# Salesforce text fields hold 255 characters; the one-line reason must fit both CRMs.
SUMMARY_LIMIT = 255


# Named tuples rather than frozen dataclasses: the engine creates a dozen per lead, and a frozen
# dataclass costs about four times as much to build. Both are immutable.


class Reason(NamedTuple):
    """One line of the explanation: a rule that gave points, or a signal that moved the stage."""

    rule: str
    detail: str
    points: int | None = None
    signal: str | None = None


class StageMove(NamedTuple):
    """A stage change, audited with the rule or signal that caused it."""

    from_stage: Stage | None
    to_stage: Stage
    reason: Reason


class Explanation:
    """The reasons behind a decision, put into words only when someone reads them.

    Scoring keeps compact facts (which rule, how often, how long ago). Writing the sentences costs
    more than the scoring, and most evaluations in a sync cycle change nothing and are never read.
    """

    __slots__ = ("_reasons", "_render")

    def __init__(self, render: Callable[[], tuple[Reason, ...]]) -> None:
        self._render: Callable[[], tuple[Reason, ...]] | None = render
        self._reasons: tuple[Reason, ...] = ()

    @classmethod
    def of(cls, reasons: tuple[Reason, ...]) -> Explanation:
        return cls(lambda: reasons)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        if self._render is not None:
            self._reasons, self._render = self._render(), None
        return self._reasons

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Explanation) and self.reasons == other.reasons

    def __hash__(self) -> int:
        return hash(self.reasons)

    def __repr__(self) -> str:
        return f"Explanation({self.reasons!r})"


class Decision(NamedTuple):
    """One lead at `evaluated_at`: scores, stage, and (with a routing context) owner and SLA clocks.

    The routing fields say what the runtime must persist for the next evaluation: the owner, when
    they got the lead (`owner_assigned_at`), who it was escalated from, and `routing_state`.
    `routing` is set when the owner was decided in this evaluation (changed or kept);
    `escalation_due_at` when the owner has until then to act; `next_check_at` is the next instant
    at which time alone changes the decision.

    Given the lead's memory, the decision also hands back the memory after it, the outputs it wants
    the CRM to hold (`desired`), those that differ from what the CRM holds (`changes`), and what to
    tell the owner (`notices`).
    """

    contact_id: str
    evaluated_at: datetime
    fit: int
    behavior: int
    stage: Stage
    previous_stage: Stage | None
    high_intent: bool
    explanation: Explanation
    moves: tuple[StageMove, ...] = ()
    problems: tuple[str, ...] = ()
    clears_rejection: bool = False
    owner_id: str | None = None
    previous_owner_id: str | None = None
    owner_assigned_at: datetime | None = None
    escalated_from: tuple[str, ...] = ()
    routing: Assignment | None = None
    clocks: tuple[Clock, ...] = ()
    escalation_due_at: datetime | None = None
    next_check_at: datetime | None = None
    routing_state: RoutingState | None = None
    memory: LeadMemory | None = None
    desired: FieldValues | None = None
    changes: FieldValues | None = None
    notices: tuple[Notice, ...] = ()

    @property
    def owner_changed(self) -> bool:
        return self.owner_id != self.previous_owner_id

    @property
    def current_clock(self) -> Clock | None:
        """The clock for the CRM's single SLA fields: the open one due first, else the last met."""
        return current_clock(self.clocks)

    def entered_at(self, stage: Stage) -> datetime | None:
        """When this evaluation moved the lead into `stage` (None if it did not)."""
        return self.evaluated_at if any(move.to_stage is stage for move in self.moves) else None

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.explanation.reasons

    @property
    def score(self) -> int:
        return self.fit + self.behavior

    @property
    def summary(self) -> str:
        """The one line a rep sees in the CRM: the stage, why, and the strongest signals."""
        why = self.problems[0] if self.problems else self._stage_reason()
        top = sorted((r for r in self.reasons if r.points), key=lambda r: -abs(r.points or 0))[:3]
        signals = ", ".join(f"{r.rule} ({r.points:+d})" for r in top)
        text = f"{STAGE_LABELS[self.stage]} · score {self.score}: {why}"
        if signals:
            text += f" · {signals}"
        return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1] + "…"

    def _stage_reason(self) -> str:
        """The last word of the stage machine; the points rules come first in `reasons`."""
        stage_reasons = [r for r in self.reasons if r.points is None]
        if stage_reasons:
            return stage_reasons[-1].detail
        return self.moves[-1].reason.detail if self.moves else STAGE_LABELS[self.stage]
