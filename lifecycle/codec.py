"""The canonical JSON formats: one lead in (`{"contact": ..., "activities": [...]}`), one decision out,
and the owners roster that routing needs.

Parsing is validation: a record with impossible values (employees = -3, a date that is not a
date) is refused with the field path and why, never half-read. docs/formats.md describes both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from handoff.lifecycle.assignment import Assignment
from handoff.lifecycle.clock import Clock
from handoff.lifecycle.decision import Decision, Reason, StageMove
from handoff.lifecycle.records import Activity, Contact, Owner
from handoff.lifecycle.roster import RoutingContext
from handoff.lifecycle.routing_state import RoutingState


@dataclass(frozen=True, slots=True)
class LeadInput:
    __pydantic_config__ = ConfigDict(extra="forbid")

    contact: Contact
    activities: tuple[Activity, ...] = field(default=())


_LEAD = TypeAdapter(LeadInput)
_CONTACT = TypeAdapter(Contact)
_ACTIVITY = TypeAdapter(Activity)
_ACTIVITIES = TypeAdapter(list[Activity])


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
        **routing_to_dict(decision),
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


@dataclass(frozen=True, slots=True)
class RosterInput:
    """`handoff evaluate --owners FILE`: the CRM's owners and the account owners by domain."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    owners: tuple[Owner, ...]
    account_owners: dict[str, str] = field(default_factory=dict)

    def context(self, state: RoutingState | None = None) -> RoutingContext:
        return RoutingContext.of(self.owners, state, self.account_owners)


_ROSTER = TypeAdapter(RosterInput)


def parse_roster(text: str | bytes) -> RosterInput:
    try:
        return _ROSTER.validate_json(text)
    except ValidationError as error:
        raise InvalidRecord(describe_validation_error(error)) from error


def routing_to_dict(decision: Decision) -> dict[str, Any]:
    """The owner and SLA part of a decision (docs/formats.md, "Owner, routing and SLA")."""
    current = decision.current_clock
    return {
        "owner_id": decision.owner_id,
        "previous_owner_id": decision.previous_owner_id,
        "owner_changed": decision.owner_changed,
        "owner_assigned_at": _iso(decision.owner_assigned_at),
        "escalated_from": list(decision.escalated_from),
        "routing": assignment_to_dict(decision.routing) if decision.routing else None,
        "escalation_due_at": _iso(decision.escalation_due_at),
        "clocks": [clock_to_dict(clock) for clock in decision.clocks],
        "sla": (
            {"clock": current.name.value, "due_at": _iso(current.due_at), "status": current.status.value}
            if current
            else None
        ),
        "next_check_at": _iso(decision.next_check_at),
    }


def assignment_to_dict(assignment: Assignment) -> dict[str, Any]:
    return {
        "trigger": assignment.trigger.value,
        "method": assignment.method.value,
        "owner_id": assignment.owner_id,
        "owner": assignment.owner,
        "team": assignment.team,
        "lead_team": assignment.lead_team,
        "rule": assignment.rule,
        "tried": list(assignment.tried),
        "skipped": [
            {"who": skip.who, "team": skip.team, "reason": skip.reason.value, "detail": skip.detail}
            for skip in assignment.skipped
        ],
        "escalations": assignment.escalations,
        "reason": assignment.reason,
    }


def clock_to_dict(clock: Clock) -> dict[str, Any]:
    return {
        "name": clock.name.value,
        "rule": clock.rule,
        "minutes": clock.minutes,
        "started_at": _iso(clock.started_at),
        "due_soon_at": _iso(clock.due_soon_at),
        "due_at": _iso(clock.due_at),
        "status": clock.status.value,
        "met_by": clock.met_by,
        "met_ref": clock.met_ref,
        "met_at": _iso(clock.met_at),
        "late": clock.late,
        "calendar": clock.calendar,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# The canonical records as the store and the in-memory CRM keep them (JSON-ready dicts).


def contact_to_json(contact: Contact) -> dict[str, Any]:
    data: dict[str, Any] = _CONTACT.dump_python(contact, mode="json")
    return data


def contact_from_json(data: dict[str, Any] | str | bytes) -> Contact:
    if isinstance(data, str | bytes):
        return _CONTACT.validate_json(data)
    return _CONTACT.validate_python(data)


def activity_to_json(activity: Activity) -> dict[str, Any]:
    data: dict[str, Any] = _ACTIVITY.dump_python(activity, mode="json")
    return data


def activity_from_json(data: str | bytes) -> Activity:
    return _ACTIVITY.validate_json(data)


def activities_from_json(data: list[dict[str, Any]]) -> list[Activity]:
    return _ACTIVITIES.validate_python(data)
