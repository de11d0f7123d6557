"""The read side: what `handoff status` and `handoff explain` show, as typed records.

`explain` at an instant rebuilds what handoff knew and decided then from history alone: the
contact's version seen by that instant, its latest decision by then, the stage moves and clock
transitions up to then, and the activities that had arrived by then. Nothing later is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from handoff.lifecycle.codec import assignment_from_dict
from handoff.lifecycle.decision import Reason
from handoff.lifecycle.outputs import OutputField
from handoff.store.cursors import StreamPosition
from handoff.store.outbox import OPEN, LedgerEntry, OutboxStatus, Row
from handoff.store.quarantine import Quarantined
from handoff.store.runs import RunRecord
from handoff.store.schema import ACTIVITY, CLOCK_EVENT, CONTACT, CONTACT_VERSION, DECISION, STAGE_HISTORY

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx


@dataclass(frozen=True, slots=True)
class DecisionView:
    seq: int
    at: datetime
    policy_version: str
    stage: str
    previous_stage: str | None
    fit: int
    behavior: int
    score: int
    high_intent: bool
    owner_id: str | None
    summary: str
    reasons: tuple[Reason, ...]
    problems: tuple[str, ...]
    routing: dict[str, Any] | None
    clocks: tuple[dict[str, Any], ...]
    memory: dict[str, Any]
    desired: dict[str, Any]
    next_check_at: datetime | None


@dataclass(frozen=True, slots=True)
class StageMoveView:
    at: datetime
    from_stage: str | None
    to_stage: str
    actor: str
    rule: str
    signal: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class ClockEventView:
    at: datetime
    clock: str
    status: str
    owner_id: str | None
    due_at: datetime | None
    met_by: str | None


@dataclass
class Explanation:
    contact_id: str
    at: datetime | None
    """The instant explained; None for now."""
    contact: dict[str, Any] | None
    seen_at: datetime | None
    decision: DecisionView | None
    routing: dict[str, Any] | None = None
    """Why the owner (then) had the lead: the assignment that gave it to them."""
    history: list[StageMoveView] = field(default_factory=list)
    clock_events: list[ClockEventView] = field(default_factory=list)
    activities: int = 0
    pending: list[Row] = field(default_factory=list)
    failures: list[LedgerEntry] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)


@dataclass
class StatusView:
    crm: str
    runs: list[RunRecord]
    cursors: list[StreamPosition]
    outbox: dict[OutboxStatus, int]
    quarantine_count: int
    quarantine: list[Quarantined]
    contacts: int


class Views:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.crm = tx.crm

    def status(self, runs: int) -> StatusView:
        tx = self.tx
        return StatusView(
            crm=self.crm,
            runs=tx.runs.recent(runs),
            cursors=tx.cursors.all(),
            outbox=tx.outbox.depth(),
            quarantine_count=tx.quarantine.count(),
            quarantine=tx.quarantine.latest(10),
            contacts=tx.mirror.count(),
        )

    def explain(self, key: str, at: datetime | None = None) -> Explanation | None:
        """Everything about one contact (by CRM id or email), now or as it stood at `at`."""
        contact_id = self.tx.mirror.find(key)
        if contact_id is None:
            # A record refused before it reached the mirror is still named, with why.
            refused = self.tx.quarantine.of(key) if at is None else []
            return Explanation(key, None, None, None, None, quarantined=refused) if refused else None
        seen_at, contact = self._version(contact_id, at)
        decision = self._decision(contact_id, at)
        found = Explanation(
            contact_id=contact_id,
            at=at,
            contact=contact,
            seen_at=seen_at,
            decision=decision,
            routing=self._routing(contact_id, decision),
            history=self._history(contact_id, at),
            clock_events=self._clock_events(contact_id, at),
            activities=self._activities(contact_id, at),
            owners=self.tx.owners.names(),
        )
        if at is None:
            found.pending = self.tx.outbox.for_contact(contact_id, (*OPEN, OutboxStatus.DEAD))
            found.failures = self.tx.outbox.failures(contact_id, 5)
            found.quarantined = self.tx.quarantine.of(contact_id)
        return found

    def moves(
        self, since: datetime, until: datetime | None = None, *, actor: str | None = None
    ) -> list[tuple[str, StageMoveView]]:
        """Stage moves in [since, until] (or since), by whom, oldest first: (contact, move)."""
        h = STAGE_HISTORY.c
        query = select(STAGE_HISTORY).where(h.crm == self.crm, h.at >= since)
        if until is not None:
            query = query.where(h.at <= until)
        if actor is not None:
            query = query.where(h.actor == actor)
        return [
            (r.contact_id, StageMoveView(r.at, r.from_stage, r.to_stage, r.actor, r.rule, r.signal, r.detail))
            for r in self.tx.connection.execute(query.order_by(h.at, h.id))
        ]

    def latest_decisions(self, ids: list[str] | None = None) -> dict[str, DecisionView]:
        """Each contact's latest decision (every decided contact's, without `ids`)."""
        d, c = DECISION.c, CONTACT.c
        query = (
            select(DECISION)
            .join(CONTACT, and_(c.crm == d.crm, c.id == d.contact_id, c.decision_seq == d.seq))
            .where(d.crm == self.crm)
        )
        if ids is not None:
            query = query.where(d.contact_id.in_(ids))
        rows = self.tx.connection.execute(query)
        return {row.contact_id: _decision_view(row) for row in rows}

    def recent_decisions(self, limit: int) -> list[tuple[str, DecisionView]]:
        """The contacts decided most recently, each with its latest decision, newest first."""
        d, c = DECISION.c, CONTACT.c
        rows = self.tx.connection.execute(
            select(DECISION)
            .join(CONTACT, and_(c.crm == d.crm, c.id == d.contact_id, c.decision_seq == d.seq))
            .where(d.crm == self.crm)
            .order_by(d.at.desc(), d.contact_id)
            .limit(limit)
        )
        return [(row.contact_id, _decision_view(row)) for row in rows]

    def profiles(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Each contact's latest version, as the canonical record (names, company, ...)."""
        v, c = CONTACT_VERSION.c, CONTACT.c
        rows = self.tx.connection.execute(
            select(v.contact_id, v.data)
            .join(CONTACT, and_(c.crm == v.crm, c.id == v.contact_id, c.version == v.version))
            .where(v.crm == self.crm, v.contact_id.in_(ids))
        )
        return {row.contact_id: row.data for row in rows}

    def _version(self, contact_id: str, at: datetime | None) -> tuple[datetime | None, dict[str, Any] | None]:
        v = CONTACT_VERSION.c
        query = select(v.seen_at, v.data).where(v.crm == self.crm, v.contact_id == contact_id)
        if at is not None:
            query = query.where(v.seen_at <= at)
        row = self.tx.connection.execute(query.order_by(v.version.desc()).limit(1)).first()
        return (row.seen_at, row.data) if row else (None, None)

    def _decision(self, contact_id: str, at: datetime | None) -> DecisionView | None:
        d = DECISION.c
        if at is None:
            c = CONTACT.c
            query = select(DECISION).join(
                CONTACT, and_(c.crm == d.crm, c.id == d.contact_id, c.decision_seq == d.seq)
            )
        else:
            query = select(DECISION).where(d.at <= at).order_by(d.seq.desc()).limit(1)
        row = self.tx.connection.execute(query.where(d.crm == self.crm, d.contact_id == contact_id)).first()
        return _decision_view(row) if row is not None else None

    def _routing(self, contact_id: str, decision: DecisionView | None) -> dict[str, Any] | None:
        """The assignment that gave the decision's owner the lead: the latest routing up to it,
        if it chose that owner (a person may have changed the owner in the CRM since)."""
        if decision is None or decision.owner_id is None:
            return None
        d = DECISION.c
        rows = self.tx.connection.execute(
            select(d.routing)
            .where(
                d.crm == self.crm, d.contact_id == contact_id, d.seq <= decision.seq, d.routing.is_not(None)
            )
            .order_by(d.seq.desc())
        )
        for (routing,) in rows:
            if routing:
                if routing.get("owner_id") != decision.owner_id:
                    return None
                return {**routing, "reason": assignment_from_dict(routing).reason}
        return None

    def _history(self, contact_id: str, at: datetime | None) -> list[StageMoveView]:
        h = STAGE_HISTORY.c
        query = select(STAGE_HISTORY).where(h.crm == self.crm, h.contact_id == contact_id)
        if at is not None:
            query = query.where(h.at <= at)
        return [
            StageMoveView(r.at, r.from_stage, r.to_stage, r.actor, r.rule, r.signal, r.detail)
            for r in self.tx.connection.execute(query.order_by(h.at, h.id))
        ]

    def _clock_events(self, contact_id: str, at: datetime | None) -> list[ClockEventView]:
        k = CLOCK_EVENT.c
        query = select(CLOCK_EVENT).where(k.crm == self.crm, k.contact_id == contact_id)
        if at is not None:
            query = query.where(k.at <= at)
        return [
            ClockEventView(r.at, r.clock, r.status, r.owner_id, r.due_at, r.met_by)
            for r in self.tx.connection.execute(query.order_by(k.at, k.id))
        ]

    def _activities(self, contact_id: str, at: datetime | None) -> int:
        a = ACTIVITY.c
        query = select(func.count()).where(a.crm == self.crm, a.contact_id == contact_id)
        if at is not None:
            query = query.where(a.first_seen_at <= at, a.occurred_at <= at)
        found: int = self.tx.connection.execute(query).scalar_one()
        return found


def _decision_view(row: Any) -> DecisionView:
    return DecisionView(
        seq=row.seq,
        at=row.at,
        policy_version=row.policy_version,
        stage=row.stage,
        previous_stage=row.previous_stage,
        fit=row.fit,
        behavior=row.behavior,
        score=row.score,
        high_intent=row.high_intent,
        owner_id=row.owner_id,
        summary=row.summary,
        reasons=tuple(Reason(*reason) for reason in row.reasons),
        problems=tuple(row.problems),
        routing=row.routing,
        clocks=tuple(row.clocks),
        memory=row.memory,
        desired={**row.desired, OutputField.REASON.value: row.summary},
        next_check_at=row.next_check_at,
    )
