"""The canonical JSON formats: one lead in (`{"contact": ..., "activities": [...]}`), one decision out.

Parsing is validation: a record with impossible values (employees = -3, a date that is not a
date) is refused with the field path and why, never half-read. docs/formats.md describes both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from lifecycle.decision import Decision, Reason, StageMove
from lifecycle.records import Activity, Contact


@dataclass(frozen=True, slots=True)
class LeadInput:
    __pydantic_config__ = ConfigDict(extra="forbid")

    contact: Contact
    activities: tuple[Activity, ...] = field(default=())


_LEAD = TypeAdapter(LeadInput)


class InvalidRecord(ValueError):
    """A lead that cannot be evaluated; the message names each bad field and why."""


def parse_lead(text: str | bytes) -> LeadInput:
    try:
        return _LEAD.validate_json(text)
    except ValidationError as error:
        raise InvalidRecord(describe_validation_error(error)) from error


def describe_validation_error(error: ValidationError) -> str:
    problems = []
    for detail in error.errors(include_url=False):
        path = ".".join(str(part) for part in detail["loc"])
        message = detail["msg"]
        if detail["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
            message = "unknown field"
        value = detail.get("input")
        if detail["type"] not in (
            "missing",
            "json_invalid",
            "unexpected_keyword_argument",
            "extra_forbidden",
        ) and isinstance(value, str | int | float | bool):
            message += f" (got {value!r})"
        problems.append(f"{path}: {message}" if path else message)
    return "; ".join(problems)


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.contact_id,
        "evaluated_at": decision.evaluated_at.isoformat(),
        "fit": decision.fit,
        "behavior": decision.behavior,
        "score": decision.score,
        "stage": decision.stage.value,
        "previous_stage": decision.previous_stage.value if decision.previous_stage else None,
        "high_intent": decision.high_intent,
        "summary": decision.summary,
        "reasons": [reason_to_dict(reason) for reason in decision.reasons],
        "moves": [_move_to_dict(move) for move in decision.moves],
        "problems": list(decision.problems),
    }


def reason_to_dict(reason: Reason) -> dict[str, Any]:
    data: dict[str, Any] = {"rule": reason.rule}
    if reason.points is not None:
        data["points"] = reason.points
    if reason.signal is not None:
        data["signal"] = reason.signal
    data["detail"] = reason.detail
    return data


def _move_to_dict(move: StageMove) -> dict[str, Any]:
    return {
        "from": move.from_stage.value if move.from_stage else None,
        "to": move.to_stage.value,
        **reason_to_dict(move.reason),
    }
