"""Evaluate: run the engine over the contacts that changed (or whose clocks need a fresh look),
and save each decision with its audit rows, its outbox rows and the routing state in one
transaction.

The engine sees the lead as handoff last decided it: the CRM's values, overlaid with writes that
are decided but not confirmed yet, and the stage and assignment times from the last decision.
Without that overlay a lead whose write is still in the outbox would be routed a second time.
The outbox holds at most one pending field write per contact, always equal to the current diff
between what handoff wants and what the CRM holds; re-evaluating replaces it, never stacks it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import Connection, bindparam, delete, or_, select, update

from handoff.config.vocabulary import Stage
from handoff.connectors.protocol import FieldValues, OutputField
from handoff.lifecycle.codec import (
    activities_from_json,
    assignment_to_dict,
    contact_from_json,
    reason_to_dict,
)
from handoff.lifecycle.decision import Decision
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.records import Contact, Owner
from handoff.lifecycle.roster import RoutingContext
from handoff.store.db import insert_ignoring_duplicates, transaction, upsert
from handoff.store.models import CONTACT, DECISION, OUTBOX, SLA_CLOCK, STAGE_HISTORY
from handoff.store.statistics import refresh_statistics
from handoff.sync.desired import changed_fields, desired_fields
from handoff.sync.notifications import Notice, notices, outbox_rows
from handoff.sync.owners import load_owners, load_routing_state, save_routing_state
from handoff.sync.runtime import Runtime

_STAGE_TIMES = {Stage.MQL: "mql_at", Stage.SAL: "sal_at", Stage.SQL: "sql_at"}


@dataclass
class EvalCounts:
    evaluated: int = 0
    moved: int = 0
    queued: int = 0
    notices: int = 0


@dataclass
class Outcome:
    """One contact's evaluation, ready to be saved."""

    contact: Contact
    decision: Decision
    desired: FieldValues
    changes: FieldValues
    current: dict[str, Any]
    new_stage: bool
    stage_entered: dict[str, str]
    notices: list[Notice]
    routing: dict[str, Any] | None
    pulled_stage: str | None


def evaluate_pending(
    rt: Runtime, now: datetime, *, ids: Sequence[str] | None = None, stop: threading.Event | None = None
) -> EvalCounts:
    """Evaluate every dirty or due contact (or just `ids`), in batches, each batch in one transaction."""
    counts = EvalCounts()
    after = ""
    with transaction(rt.engine) as connection:
        owners = load_owners(connection, rt.crm)
        state = load_routing_state(connection, rt.crm)
    people = {owner.id: owner for owner in owners}
    while stop is None or not stop.is_set():
        refresh_statistics(rt.engine)
        with transaction(rt.engine) as connection:
            rows = _due(connection, rt, now, after, ids)
            known = load_known(connection, rt.crm, [row["id"] for row in rows])
        if not rows:
            break
        after = rows[-1]["id"]
        context = RoutingContext.of(owners, state, _account_owners(rows))
        outcomes = []
        for row in rows:
            outcome = _decide(rt, row, known[row["id"]], context, people=people, now=now)
            context = context.after(outcome.decision)
            outcomes.append(outcome)
        state = context.state
        with transaction(rt.engine) as connection:
            _save(connection, rt, outcomes, now)
            save_routing_state(connection, rt.crm, state, now)
        counts.evaluated += len(outcomes)
        counts.moved += sum(1 for o in outcomes if o.new_stage)
        counts.queued += sum(1 for o in outcomes if o.changes)
        counts.notices += sum(len(o.notices) for o in outcomes)
        rt.metrics.sla_breaches.inc(sum(1 for o in outcomes for n in o.notices if n.breach))
    rt.metrics.evaluated.inc(counts.evaluated)
    return counts


def _due(
    connection: Connection, rt: Runtime, now: datetime, after: str, ids: Sequence[str] | None
) -> list[dict[str, Any]]:
    c = CONTACT.c
    query = select(c.id, c.data, c.activities, c.written, c.account_owner_id).where(
        c.crm == rt.crm, c.id > after
    )
    if ids is not None:
        query = query.where(c.id.in_(ids))
    else:
        query = query.where(or_(c.dirty.is_(True), c.review_at <= now))
    rows = connection.execute(query.order_by(c.id).limit(rt.settings.evaluate_batch))
    return [dict(row._mapping) for row in rows]


def load_known(connection: Connection, crm: str, ids: list[str]) -> dict[str, Known]:
    """What the store knows of each of these contacts (read only: a dry run uses it too)."""
    previous = _previous(connection, crm, ids)
    pending = _pending_fields(connection, crm, ids)
    clocks = _clock_statuses(connection, crm, ids)
    return {i: Known(previous.get(i), pending.get(i, {}), clocks.get(i, {})) for i in ids}


def _previous(connection: Connection, crm: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    d = DECISION.c
    rows = connection.execute(
        select(
            d.contact_id,
            d.stage,
            d.owner_id,
            d.owner_assigned_at,
            d.escalated_from,
            d.accepted_at,
            d.stage_entered,
            d.routing,
        ).where(d.crm == crm, d.contact_id.in_(ids))
    )
    return {row.contact_id: dict(row._mapping) for row in rows}


def _clock_statuses(connection: Connection, crm: str, ids: list[str]) -> dict[str, dict[str, str]]:
    """Each contact's SLA clocks as last decided, name → status: a change of status is news."""
    k = SLA_CLOCK.c
    statuses: dict[str, dict[str, str]] = {}
    for row in connection.execute(
        select(k.contact_id, k.name, k.status).where(k.crm == crm, k.contact_id.in_(ids))
    ):
        statuses.setdefault(row.contact_id, {})[row.name] = row.status
    return statuses


def _pending_fields(connection: Connection, crm: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    o = OUTBOX.c
    rows = connection.execute(
        select(o.contact_id, o.payload).where(
            o.crm == crm, o.kind == "fields", o.status.in_(("pending", "inflight")), o.contact_id.in_(ids)
        )
    )
    return {row.contact_id: row.payload["fields"] for row in rows}


def _account_owners(rows: list[dict[str, Any]]) -> dict[str, str]:
    accounts = {}
    for row in rows:
        domain = (row["data"].get("company") or {}).get("domain")
        if domain and row["account_owner_id"]:
            accounts[domain] = row["account_owner_id"]
    return accounts


@dataclass(frozen=True)
class Known:
    """What the store already knows of a contact: its last decision, its unconfirmed writes, and
    its SLA clocks' statuses."""

    previous: dict[str, Any] | None
    pending: dict[str, Any]
    clocks: dict[str, str]


def _decide(
    rt: Runtime,
    row: dict[str, Any],
    known: Known,
    context: RoutingContext,
    *,
    people: dict[str, Owner],
    now: datetime,
) -> Outcome:
    previous = known.previous
    contact = as_decided(contact_from_json(row["data"]), known, now)
    activities = activities_from_json(row["activities"])
    decision = evaluate(contact, activities, rt.policy, now, routing=context)
    desired = desired_fields(decision)
    stage_entered = dict(previous["stage_entered"]) if previous else {}
    for move in decision.moves:
        stage_entered[move.to_stage.value] = now.isoformat()
    return Outcome(
        contact=contact,
        decision=decision,
        desired=desired,
        changes=changed_fields(desired, row["written"]),
        current=row["written"],
        new_stage=decision.moves != () and (previous is None or previous["stage"] != decision.stage.value),
        stage_entered=stage_entered,
        notices=notices(decision, contact, known.clocks, people, now),
        routing=_routing(decision, previous),
        pulled_stage=row["data"].get("stage"),
    )


def _routing(decision: Decision, previous: dict[str, Any] | None) -> dict[str, Any] | None:
    """The reason of the current assignment: this decision's, or the one that gave the lead its owner."""
    if decision.routing is not None:
        return assignment_to_dict(decision.routing)
    if previous is not None and previous["owner_id"] == decision.owner_id:
        kept: dict[str, Any] | None = previous["routing"]
        return kept
    return None


def as_decided(contact: Contact, known: Known, now: datetime) -> Contact:
    """The contact as handoff last decided it: pending writes over the CRM, and the decision's times."""
    previous, pending = known.previous, known.pending
    changes: dict[str, Any] = {}
    if OutputField.STAGE.value in pending:
        changes["stage"] = Stage(pending[OutputField.STAGE.value])
    if OutputField.OWNER.value in pending:
        changes["owner_id"] = pending[OutputField.OWNER.value]
    if OutputField.DISQUALIFICATION_REASON.value in pending:
        changes["disqualification_reason"] = pending[OutputField.DISQUALIFICATION_REASON.value]
    if previous is not None:
        entered = previous["stage_entered"]
        stage = changes.get("stage", contact.stage)
        if stage is not None and stage.value in entered:
            changes["stage_entered_at"] = datetime.fromisoformat(entered[stage.value])
        for stage_name, field in _STAGE_TIMES.items():
            if getattr(contact, field) is None and stage_name.value in entered:
                changes[field] = datetime.fromisoformat(entered[stage_name.value])
        if previous["owner_id"] == changes.get("owner_id", contact.owner_id):
            changes["owner_assigned_at"] = contact.owner_assigned_at or previous["owner_assigned_at"]
            changes["escalated_from"] = tuple(previous["escalated_from"])
        changes["accepted_at"] = contact.accepted_at or previous["accepted_at"]
    if contact.accepted and changes.get("accepted_at", contact.accepted_at) is None:
        changes["accepted_at"] = now
    return dataclasses.replace(contact, **changes) if changes else contact


def _save(connection: Connection, rt: Runtime, outcomes: list[Outcome], now: datetime) -> None:
    upsert(connection, DECISION, [_decision_row(rt, o, now) for o in outcomes], ("crm", "contact_id"))
    history = [row for o in outcomes if o.new_stage for row in _history_rows(rt.crm, o, now)]
    if history:
        connection.execute(STAGE_HISTORY.insert(), history)
    _replace_clocks(connection, rt.crm, outcomes)
    _replace_pending_writes(connection, rt, outcomes, now)
    notes = [row for o in outcomes for n in o.notices for row in outbox_rows(rt.crm, n, rt.channels, now)]
    insert_ignoring_duplicates(connection, OUTBOX, notes, ("crm", "dedupe_key"))
    connection.execute(
        update(CONTACT)
        .where(CONTACT.c.crm == rt.crm, CONTACT.c.id == bindparam("b_id"))
        .values(dirty=False, review_at=bindparam("b_review")),
        [{"b_id": o.contact.id, "b_review": o.decision.next_check_at} for o in outcomes],
    )


def _replace_clocks(connection: Connection, crm: str, outcomes: list[Outcome]) -> None:
    """The latest decision's clocks replace the last ones: a clock that no longer runs (the lead was
    disqualified, the owner changed) leaves the store with it."""
    connection.execute(
        delete(SLA_CLOCK).where(
            SLA_CLOCK.c.crm == crm, SLA_CLOCK.c.contact_id.in_([o.contact.id for o in outcomes])
        )
    )
    clocks = [_clock_row(crm, o, clock) for o in outcomes for clock in o.decision.clocks]
    if clocks:
        connection.execute(SLA_CLOCK.insert(), clocks)


def _replace_pending_writes(
    connection: Connection, rt: Runtime, outcomes: list[Outcome], now: datetime
) -> None:
    o = OUTBOX.c
    connection.execute(
        delete(OUTBOX).where(
            o.crm == rt.crm,
            o.kind == "fields",
            o.status.in_(("pending", "inflight")),
            o.contact_id.in_([outcome.contact.id for outcome in outcomes]),
        )
    )
    rows = [
        {
            "crm": rt.crm,
            "contact_id": outcome.contact.id,
            "kind": "fields",
            "dedupe_key": f"fields:{outcome.contact.id}:{uuid4().hex}",
            "payload": {
                "fields": {f.value: v for f, v in outcome.changes.items()},
                "current": {f.value: outcome.current.get(f.value) for f in outcome.changes},
                "stage_before": outcome.pulled_stage,
            },
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for outcome in outcomes
        if outcome.changes
    ]
    if rows:
        connection.execute(OUTBOX.insert(), rows)


def _decision_row(rt: Runtime, outcome: Outcome, now: datetime) -> dict[str, Any]:
    decision = outcome.decision
    return {
        "crm": rt.crm,
        "contact_id": outcome.contact.id,
        "evaluated_at": now,
        "policy_version": rt.policy_version,
        "stage": decision.stage.value,
        "previous_stage": decision.previous_stage.value if decision.previous_stage else None,
        "fit": decision.fit,
        "behavior": decision.behavior,
        "score": decision.score,
        "high_intent": decision.high_intent,
        "owner_id": decision.owner_id,
        "owner_assigned_at": decision.owner_assigned_at,
        "escalated_from": list(decision.escalated_from),
        "accepted_at": outcome.contact.accepted_at,
        "stage_entered": outcome.stage_entered,
        "next_check_at": decision.next_check_at,
        "summary": decision.summary,
        "reasons": [reason_to_dict(reason) for reason in decision.reasons],
        "problems": list(decision.problems),
        "routing": outcome.routing,
        "desired": {f.value: v for f, v in outcome.desired.items()},
    }


def _clock_row(crm: str, outcome: Outcome, clock: Any) -> dict[str, Any]:
    return {
        "crm": crm,
        "contact_id": outcome.contact.id,
        "name": clock.name.value,
        "owner_id": outcome.decision.owner_id,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "status": clock.status.value,
        "met_at": clock.met_at,
        "met_by": clock.met_by,
    }


def _history_rows(crm: str, outcome: Outcome, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "crm": crm,
            "contact_id": outcome.contact.id,
            "at": now,
            "from_stage": move.from_stage.value if move.from_stage else None,
            "to_stage": move.to_stage.value,
            "actor": "handoff",
            "rule": move.reason.rule,
            "signal": move.reason.signal,
            "detail": move.reason.detail,
        }
        for move in outcome.decision.moves
    ]
