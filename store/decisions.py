"""Decisions and what they leave behind: the decision log, stage history and SLA clock transitions.

All three are append-only. A decision is logged when it differs from the contact's last one (its
digest); an evaluation that decides the same again (most SLA ticks) adds no row. A stage move is
logged once, when it is first decided; a clock transition when a clock starts, turns due soon,
breaches, is met, or stops running.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from handoff.lifecycle.clock import Clock, ClockName, ClockStatus
from handoff.lifecycle.codec import assignment_to_dict, memory_to_dict
from handoff.lifecycle.decision import Decision
from handoff.lifecycle.memory import LeadMemory
from handoff.lifecycle.outputs import OutputField, output_names
from handoff.store.database import insert_rows, query
from handoff.store.schema import CLOCK_EVENT, STAGE_HISTORY

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx

REASON = OutputField.REASON.value
_COLUMNS = (
    "crm",
    "contact_id",
    "seq",
    "at",
    "policy_version",
    "stage",
    "previous_stage",
    "fit",
    "behavior",
    "score",
    "high_intent",
    "owner_id",
    "summary",
    "reasons",
    "problems",
    "routing",
    "clocks",
    "memory",
    "desired",
    "next_check_at",
    "digest",
)
STARTED = "started"
STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Decided:
    """A decision about a contact, with what the store knew before it: the number and digest of
    the contact's last decision and the memory the decision started from."""

    decision: Decision
    seq: int
    digest: str | None
    before: LeadMemory

    @property
    def contact_id(self) -> str:
        return self.decision.contact_id

    @property
    def new_stage(self) -> bool:
        """Moves decided now, not already decided (and logged) before."""
        return bool(self.decision.moves) and self.before.stage is not self.decision.stage


@dataclass(frozen=True, slots=True)
class CrmMove:
    """A stage change made in the CRM itself (by a person, or by a deal), for the audit trail."""

    contact_id: str
    at: datetime
    from_stage: str | None
    to_stage: str


class Decisions:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.crm = tx.crm

    def save(self, decided: Sequence[Decided], policy_version: str, now: datetime) -> list[tuple[str, int]]:
        """Log the decisions that changed, their stage moves and clock transitions; return each
        contact's latest decision number."""
        rows: list[tuple[Any, ...]] = []
        latest: list[tuple[str, int]] = []
        codec = self.tx.codec
        for item in decided:
            record = _record(item.decision)
            digest = _digest(record)
            if digest == item.digest:
                latest.append((item.contact_id, item.seq))
                continue
            seq = item.seq + 1
            latest.append((item.contact_id, seq))
            decision = item.decision
            rows.append(
                (
                    self.crm,
                    item.contact_id,
                    seq,
                    codec.instant(now),
                    policy_version,
                    decision.stage.value,
                    decision.previous_stage.value if decision.previous_stage else None,
                    decision.fit,
                    decision.behavior,
                    decision.score,
                    decision.high_intent,
                    decision.owner_id,
                    decision.summary,
                    codec.json(record["reasons"]),
                    codec.json(record["problems"]),
                    codec.json(record["routing"]) if record["routing"] is not None else None,
                    codec.json(record["clocks"]),
                    codec.json(record["memory"]),
                    codec.json(record["desired"]),
                    codec.instant(decision.next_check_at),
                    digest,
                )
            )
        insert_rows(self.tx.connection, "decision", _COLUMNS, rows)
        self._log_moves(decided, now)
        self._log_clocks(decided, now)
        return latest

    def _log_moves(self, decided: Sequence[Decided], now: datetime) -> None:
        history = [
            {
                "crm": self.crm,
                "contact_id": item.contact_id,
                "at": now,
                "from_stage": move.from_stage.value if move.from_stage else None,
                "to_stage": move.to_stage.value,
                "actor": "handoff",
                "rule": move.reason.rule,
                "signal": move.reason.signal,
                "detail": move.reason.detail,
            }
            for item in decided
            if item.new_stage
            for move in item.decision.moves
        ]
        if history:
            self.tx.connection.execute(STAGE_HISTORY.insert(), history)

    def record_crm_moves(self, moves: Sequence[CrmMove]) -> None:
        if moves:
            self.tx.connection.execute(
                STAGE_HISTORY.insert(),
                [
                    {
                        "crm": self.crm,
                        "contact_id": move.contact_id,
                        "at": move.at,
                        "from_stage": move.from_stage,
                        "to_stage": move.to_stage,
                        "actor": "crm",
                        "rule": "crm",
                        "signal": "crm_change",
                        "detail": "stage changed in the CRM",
                    }
                    for move in moves
                ],
            )

    def _log_clocks(self, decided: Sequence[Decided], now: datetime) -> None:
        events = []
        for item in decided:
            owner = item.decision.owner_id
            before = item.before.clocks
            for clock in item.decision.clocks:
                previous = before.get(clock.name)
                if previous is None:
                    events.append(
                        self._event(item.contact_id, now, clock.name, STARTED, owner=owner, clock=clock)
                    )
                if previous is not clock.status and clock.status is not ClockStatus.ON_TRACK:
                    events.append(
                        self._event(
                            item.contact_id, now, clock.name, clock.status.value, owner=owner, clock=clock
                        )
                    )
            running = {clock.name for clock in item.decision.clocks}
            for name in before.keys() - running:
                events.append(self._event(item.contact_id, now, name, STOPPED, owner=owner, clock=None))
        if events:
            self.tx.connection.execute(CLOCK_EVENT.insert(), events)

    def _event(
        self,
        contact_id: str,
        now: datetime,
        name: ClockName,
        status: str,
        *,
        owner: str | None,
        clock: Clock | None,
    ) -> dict[str, Any]:
        return {
            "crm": self.crm,
            "contact_id": contact_id,
            "at": now,
            "clock": name.value,
            "status": status,
            "owner_id": owner,
            "started_at": clock.started_at if clock else None,
            "due_at": clock.due_at if clock else None,
            "met_at": clock.met_at if clock else None,
            "met_by": clock.met_by if clock else None,
        }

    def desired_stages(self, ids: Sequence[str]) -> dict[str, str | None]:
        """The stage each contact's latest decision wanted the CRM to show (to tell an echo of
        handoff's own write from a move made in the CRM)."""
        if not ids:
            return {}
        codec = self.tx.codec
        rows = query(
            self.tx.connection,
            "SELECT c.id, d.desired FROM contact c JOIN decision d "
            "ON d.crm = c.crm AND d.contact_id = c.id AND d.seq = c.decision_seq "
            f"WHERE c.crm = {codec.mark} AND c.id IN ({codec.marks(len(ids))})",
            (self.crm, *ids),
        )
        return {
            contact_id: codec.read_json(desired).get(OutputField.STAGE.value) for contact_id, desired in rows
        }


def _record(decision: Decision) -> dict[str, Any]:
    """What is kept of a decision: enough to explain it later without re-running anything."""
    return {
        "stage": decision.stage.value,
        "fit": decision.fit,
        "behavior": decision.behavior,
        "owner_id": decision.owner_id,
        "summary": decision.summary,
        "reasons": [list(reason) for reason in decision.reasons],
        "problems": list(decision.problems),
        "routing": _routing(decision),
        "clocks": [_clock(clock) for clock in decision.clocks],
        "memory": memory_to_dict(decision.memory) if decision.memory is not None else {},
        # The reason the CRM shows is the summary, kept in a column of its own.
        "desired": {k: v for k, v in output_names(decision.desired or {}).items() if k != REASON},
        "next_check_at": decision.next_check_at.isoformat() if decision.next_check_at else None,
    }


def _routing(decision: Decision) -> dict[str, Any] | None:
    """The assignment, without its sentence (`Assignment.reason` writes it again from the parts)."""
    if decision.routing is None:
        return None
    kept = assignment_to_dict(decision.routing)
    del kept["reason"]
    return kept


def _clock(clock: Clock) -> dict[str, Any]:
    """What `explain` and reports read of a clock (its rule and calendar are the policy's)."""
    return {
        "name": clock.name.value,
        "started_at": clock.started_at.isoformat(),
        "due_at": clock.due_at.isoformat(),
        "status": clock.status.value,
        "met_by": clock.met_by,
        "met_at": clock.met_at.isoformat() if clock.met_at else None,
    }


def _digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()
