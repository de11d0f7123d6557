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

from handoff.config.vocabulary import ActivityKind, Stage
from handoff.lifecycle.assignment import Assignment, RouteMethod, RouteTrigger, Skip, SkipReason
from handoff.lifecycle.clock import Clock, ClockName, ClockStatus
from handoff.lifecycle.decision import Decision, Reason, StageMove
from handoff.lifecycle.memory import LeadMemory
from handoff.lifecycle.records import Activity, Company, Contact, Deal, Owner
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
_DEAL = TypeAdapter(Deal)
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
        "outcome": assignment.outcome,
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


def deal_to_json(deal: Deal) -> dict[str, Any]:
    data: dict[str, Any] = _DEAL.dump_python(deal, mode="json")
    return data


def deal_from_json(data: dict[str, Any] | str | bytes) -> Deal:
    """A deal from JSON, validated (a negative amount or a naive close date is refused)."""
    if isinstance(data, str | bytes):
        return _DEAL.validate_json(data)
    return _DEAL.validate_python(data)


def activity_to_json(activity: Activity) -> dict[str, Any]:
    data: dict[str, Any] = _ACTIVITY.dump_python(activity, mode="json")
    return data


# The store's own records: compact (defaults left out) and decoded without validation, since the
# store only ever reads back what it wrote. orjson encodes datetimes, enums and nested dataclasses.

_CONTACT_DATES = frozenset(
    (
        "stage_entered_at",
        "created_at",
        "updated_at",
        "activity_at",
        "owner_assigned_at",
        "accepted_at",
        "mql_at",
        "sal_at",
        "sql_at",
    )
)
_CONTACT_FIELDS = tuple(Contact.__dataclass_fields__)
_COMPANY_FIELDS = tuple(Company.__dataclass_fields__)


def contact_record(contact: Contact) -> dict[str, Any]:
    """The contact with only the attributes that are set, ready for `orjson.dumps`."""
    record: dict[str, Any] = {}
    for name in _CONTACT_FIELDS:
        value = getattr(contact, name)
        if name == "company":
            company = {key: item for key in _COMPANY_FIELDS if (item := getattr(value, key)) is not None}
            if company:
                record[name] = company
        elif value is not None and value is not False and value not in ((), {}):
            record[name] = value
    return record


def contact_from_record(record: dict[str, Any]) -> Contact:
    values = dict(record)
    for name in _CONTACT_DATES.intersection(values):
        values[name] = datetime.fromisoformat(values[name])
    if "company" in values:
        values["company"] = Company(**values["company"])
    if "stage" in values:
        values["stage"] = Stage(values["stage"])
    for name in ("escalated_from", "problems"):
        if name in values:
            values[name] = tuple(values[name])
    return Contact(**values)


_KINDS = {kind.value: kind for kind in ActivityKind}


def activity_from_record(
    activity_id: str, kind: str, occurred_at: datetime, owner_id: str | None, attributes: dict[str, str]
) -> Activity:
    return Activity(activity_id, _KINDS[kind], occurred_at, owner_id, attributes)


def memory_to_dict(memory: LeadMemory) -> dict[str, Any]:
    """The memory as stored with its decision; `pending` is left out (the outbox holds it)."""
    return {
        "stage": memory.stage.value if memory.stage else None,
        "entered": {stage.value: moment.isoformat() for stage, moment in memory.entered.items()},
        "owner_id": memory.owner_id,
        "owner_assigned_at": _iso(memory.owner_assigned_at),
        "escalated_from": list(memory.escalated_from),
        "accepted_at": _iso(memory.accepted_at),
        "clocks": {name.value: status.value for name, status in memory.clocks.items()},
    }


def memory_from_dict(data: dict[str, Any]) -> LeadMemory:
    return LeadMemory(
        stage=Stage(data["stage"]) if data.get("stage") else None,
        entered={Stage(stage): datetime.fromisoformat(at) for stage, at in data.get("entered", {}).items()},
        owner_id=data.get("owner_id"),
        owner_assigned_at=_from_iso(data.get("owner_assigned_at")),
        escalated_from=tuple(data.get("escalated_from") or ()),
        accepted_at=_from_iso(data.get("accepted_at")),
        clocks={ClockName(name): ClockStatus(status) for name, status in data.get("clocks", {}).items()},
    )


def assignment_from_dict(data: dict[str, Any]) -> Assignment:
    return Assignment(
        trigger=RouteTrigger(data["trigger"]),
        method=RouteMethod(data["method"]),
        owner_id=data.get("owner_id"),
        owner=data.get("owner"),
        team=data.get("team"),
        lead_team=data.get("lead_team"),
        rule=data.get("rule"),
        tried=tuple(data.get("tried") or ()),
        skipped=tuple(
            Skip(skip["who"], skip.get("team"), SkipReason(skip["reason"]), skip["detail"])
            for skip in data.get("skipped") or ()
        ),
        escalations=int(data.get("escalations", 0)),
        outcome=data.get("outcome") or data.get("reason") or "",
    )


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
