"""What a decision asks the CRM to hold: the output fields, their canonical values, and the diff.

Outputs are named by meaning; each connector maps them to its CRM's names (docs/crm-fields.md).
Values travel as canonical text (integers as decimal strings, instants as ISO-8601 UTC to the
second, None for "empty"), so desired and current values compare without knowing a CRM. Only the
fields whose desired value differs from the CRM's are written: reading back handoff's own writes
then finds nothing to do, which is what keeps handoff from echoing.

This is also the one place that says which outputs are inputs too: writing the stage, the owner or
the rejection reason changes what the CRM will report for that contact.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from handoff.config.vocabulary import CRM_OWNED_STAGES, Stage
from handoff.lifecycle.records import Contact

if TYPE_CHECKING:
    from handoff.lifecycle.decision import Decision


class OutputField(StrEnum):
    """The fields handoff writes back, by meaning."""

    STAGE = "stage"
    OWNER = "owner"
    SCORE = "score"
    FIT_SCORE = "fit_score"
    ENGAGEMENT_SCORE = "engagement_score"
    REASON = "reason"
    SLA_DUE_AT = "sla_due_at"
    SLA_STATUS = "sla_status"
    DISQUALIFICATION_REASON = "disqualification_reason"


FieldValues = dict[OutputField, str | None]

# Outputs that are also contact inputs, and the contact attribute each one sets.
CONTACT_KEYS: Mapping[OutputField, str] = {
    OutputField.STAGE: "stage",
    OutputField.OWNER: "owner_id",
    OutputField.DISQUALIFICATION_REASON: "disqualification_reason",
}


def desired_fields(decision: Decision) -> FieldValues:
    """Every output's value after this decision."""
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


def changed_fields(
    desired: Mapping[OutputField, str | None], current: Mapping[OutputField, str | None]
) -> FieldValues:
    """The outputs whose desired value differs from what the CRM holds."""
    return {field: value for field, value in desired.items() if current.get(field) != value}


def instant_text(moment: datetime) -> str:
    """Instants to the second: a CRM that stores milliseconds hands back exactly what was sent."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def with_outputs(contact: Contact, fields: Mapping[OutputField, str | None]) -> Contact:
    """The contact as the CRM holds it once these outputs are written.

    A stage the CRM owns (a deal made it an opportunity) stays: handoff never moves it, so a
    stage output can only be one the CRM shows as well."""
    changes: dict[str, Any] = {}
    for output, key in CONTACT_KEYS.items():
        if output not in fields:
            continue
        value = fields[output]
        if output is OutputField.STAGE:
            if contact.stage in CRM_OWNED_STAGES or value is None:
                continue
            changes[key] = Stage(value)
        else:
            changes[key] = value
    return dataclasses.replace(contact, **changes) if changes else contact


def output_values(raw: Mapping[str, str | None]) -> FieldValues:
    """Canonical values keyed by name (as stored or sent) keyed by field again."""
    return {OutputField(name): value for name, value in raw.items()}


def output_names(fields: Mapping[OutputField, str | None]) -> dict[str, str | None]:
    return {field.value: value for field, value in fields.items()}
