"""What the CRM should hold after a decision, as canonical text per output field, and the diff.

Only fields whose desired value differs from the CRM's current value are written: reading back
our own writes then finds nothing to do, which is what keeps handoff from echoing. Instants are
written to the second, so a CRM that stores milliseconds hands back exactly what was sent.
"""

from __future__ import annotations

from datetime import UTC, datetime

from handoff.connectors.protocol import FieldValues, OutputField
from handoff.lifecycle.decision import Decision


def desired_fields(decision: Decision) -> FieldValues:
    clock = decision.current_clock
    desired: FieldValues = {
        OutputField.STAGE: decision.stage.value,
        OutputField.SCORE: str(decision.score),
        OutputField.FIT_SCORE: str(decision.fit),
        OutputField.ENGAGEMENT_SCORE: str(decision.behavior),
        OutputField.REASON: decision.summary,
        OutputField.OWNER: decision.owner_id,
        OutputField.SLA_DUE_AT: instant_text(clock.due_at) if clock else None,
        OutputField.SLA_STATUS: clock.status.value if clock else None,
    }
    if decision.clears_rejection:
        desired[OutputField.DISQUALIFICATION_REASON] = None
    return desired


def instant_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def changed_fields(desired: FieldValues, current: dict[str, str | None]) -> FieldValues:
    return {field: value for field, value in desired.items() if current.get(field.value) != value}
