"""The outbox and the write ledger: every write handoff decided, until the CRM confirmed it.

An outbox row is saved in the transaction of the decision that wants it, so a crash never loses a
decided write; it is marked in flight before it is sent and settled after. A contact has at most
one pending field write, always the current diff between what handoff wants and what the CRM holds:
a new decision replaces it, never stacks on it. Notices (tasks, chat messages) carry the key of the
event they tell, so deciding the same event again adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from sqlalchemy import delete, func, select, update

from handoff.lifecycle.outputs import FieldValues, output_names, output_values
from handoff.store.database import execute_many, insert_ignoring_duplicates, insert_rows
from handoff.store.schema import LEDGER, OUTBOX

if TYPE_CHECKING:
    from handoff.store.unit_of_work import Tx


class OutboxKind(StrEnum):
    FIELDS = "fields"
    TASK = "task"
    CHAT = "chat"
    TASK_CLOSE = "task_close"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    INFLIGHT = "inflight"
    SENT = "sent"
    DEAD = "dead"
    # A task handoff took back: completed in the CRM (or never sent) because its lead moved on.
    CLOSED = "closed"


OPEN = (OutboxStatus.PENDING, OutboxStatus.INFLIGHT)
_OUTBOX_COLUMNS = (
    "crm",
    "contact_id",
    "kind",
    "dedupe_key",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class FieldWrite:
    """Outputs to write on a contact, with the values the CRM held when the write was decided and
    the contact's stage as pulled (a connector needs both for moves the CRM treats specially)."""

    fields: FieldValues
    current: FieldValues
    stage_before: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": output_names(self.fields),
            "current": output_names(self.current),
            "stage_before": self.stage_before,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldWrite:
        return cls(
            output_values(data["fields"]), output_values(data.get("current") or {}), data.get("stage_before")
        )


@dataclass(frozen=True, slots=True)
class TaskWrite:
    """A task for a rep on the contact, due by `due_at`."""

    owner_id: str
    subject: str
    body: str
    due_at: datetime
    priority: str = "HIGH"
    stage: str | None = None
    """The lead's stage when the task was decided: once the lead leaves it, the task is done."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "owner_id": self.owner_id,
            "subject": self.subject,
            "body": self.body,
            "due_at": self.due_at.isoformat(),
            "priority": self.priority,
            "stage": self.stage,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaskWrite:
        return cls(
            data["owner_id"],
            data["subject"],
            data["body"],
            datetime.fromisoformat(data["due_at"]),
            data.get("priority", "HIGH"),
            data.get("stage"),
        )


@dataclass(frozen=True, slots=True)
class TaskClose:
    """Complete handoff's tasks with these keys in the CRM, and why (the lead moved on)."""

    keys: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"keys": list(self.keys), "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaskClose:
        return cls(tuple(data["keys"]), data["reason"])


@dataclass(frozen=True, slots=True)
class OpenTask:
    """A task handoff created (or is about to) that its rep has not been relieved of."""

    outbox_id: int
    contact_id: str
    key: str
    owner_id: str
    stage: str | None
    sent: bool
    """Sent, or in flight (it may be in the CRM); a task still pending was never sent."""


@dataclass(frozen=True, slots=True)
class ChatWrite:
    """A message to a chat channel (Slack, Teams)."""

    channel: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChatWrite:
        return cls(data["channel"], data["text"])


Payload = FieldWrite | TaskWrite | ChatWrite | TaskClose
_KINDS: dict[type[Payload], OutboxKind] = {
    FieldWrite: OutboxKind.FIELDS,
    TaskWrite: OutboxKind.TASK,
    ChatWrite: OutboxKind.CHAT,
    TaskClose: OutboxKind.TASK_CLOSE,
}
_PAYLOADS: dict[OutboxKind, Any] = {kind: payload for payload, kind in _KINDS.items()}


def kind_of(payload: Payload) -> OutboxKind:
    return _KINDS[type(payload)]


def payload_from(kind: OutboxKind, data: Mapping[str, Any]) -> Payload:
    parsed: Payload = _PAYLOADS[kind].from_dict(data)
    return parsed


@dataclass(frozen=True, slots=True)
class Entry:
    """An outbox row as the flush sends it."""

    id: int
    contact_id: str
    kind: OutboxKind
    key: str
    payload: Payload
    attempts: int


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice's write: the key of the event it tells, the contact, and the payload."""

    key: str
    contact_id: str
    payload: TaskWrite | ChatWrite


@dataclass(frozen=True, slots=True)
class Settlement:
    """What became of one sent entry: sent, retried at `retry_at`, or dead with `error`."""

    entry: Entry
    status: OutboxStatus
    attempts: int
    retry_at: datetime
    error: str | None
    ok: bool


@dataclass(frozen=True, slots=True)
class Row:
    """An outbox row as `status` and `explain` show it."""

    id: int
    contact_id: str
    kind: OutboxKind
    key: str
    payload: Payload
    status: OutboxStatus
    attempts: int
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    outbox_id: int
    kind: OutboxKind
    ok: bool
    error: str | None
    written_at: datetime


class Outbox:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.crm = tx.crm

    def pending_fields(self, ids: Sequence[str]) -> dict[str, FieldValues]:
        """Each contact's field write still waiting for the CRM's confirmation."""
        if not ids:
            return {}
        o = OUTBOX.c
        rows = self.tx.connection.execute(
            select(o.contact_id, o.payload).where(
                o.crm == self.crm, o.kind == OutboxKind.FIELDS, o.status.in_(OPEN), o.contact_id.in_(ids)
            )
        )
        return {row.contact_id: FieldWrite.from_dict(row.payload).fields for row in rows}

    def replace_field_writes(self, writes: Mapping[str, FieldWrite | None], now: datetime) -> None:
        """Each contact's pending field write becomes this one (None: nothing left to write)."""
        if not writes:
            return
        o = OUTBOX.c
        self.tx.connection.execute(
            delete(OUTBOX).where(
                o.crm == self.crm,
                o.kind == OutboxKind.FIELDS,
                o.status.in_(OPEN),
                o.contact_id.in_(list(writes)),
            )
        )
        codec = self.tx.codec
        at = codec.instant(now)
        insert_rows(
            self.tx.connection,
            "outbox",
            _OUTBOX_COLUMNS,
            [
                (
                    self.crm,
                    contact_id,
                    OutboxKind.FIELDS.value,
                    f"fields:{contact_id}:{uuid4().hex}",
                    codec.json(write.to_dict()),
                    OutboxStatus.PENDING.value,
                    0,
                    at,
                    at,
                    at,
                )
                for contact_id, write in writes.items()
                if write is not None
            ],
        )

    def open_tasks(self, ids: Sequence[str]) -> dict[str, list[OpenTask]]:
        """These contacts' tasks not taken back yet (queued, in flight or sent), oldest first."""
        if not ids:
            return {}
        o = OUTBOX.c
        rows = self.tx.connection.execute(
            select(o.id, o.contact_id, o.dedupe_key, o.payload, o.status)
            .where(
                o.crm == self.crm,
                o.kind == OutboxKind.TASK.value,
                o.status.in_([*OPEN, OutboxStatus.SENT]),
                o.contact_id.in_(list(ids)),
            )
            .order_by(o.id)
        )
        found: dict[str, list[OpenTask]] = {}
        for row in rows:
            task = TaskWrite.from_dict(row.payload)
            # In flight after a crash, it may already be in the CRM: closing it must reach the CRM too.
            sent = row.status != OutboxStatus.PENDING
            opened = OpenTask(row.id, row.contact_id, row.dedupe_key, task.owner_id, task.stage, sent)
            found.setdefault(row.contact_id, []).append(opened)
        return found

    def close_tasks(self, closing: Sequence[tuple[OpenTask, str]], now: datetime) -> None:
        """Take these tasks back, each with why: one not sent yet is never sent; sent ones are
        completed in the CRM by one close entry per contact."""
        if not closing:
            return
        o = OUTBOX.c
        self.tx.connection.execute(
            update(OUTBOX)
            .where(o.id.in_([task.outbox_id for task, _ in closing]))
            .values(status=OutboxStatus.CLOSED.value, updated_at=now)
        )
        by_contact: dict[str, list[tuple[OpenTask, str]]] = {}
        for task, reason in closing:
            if task.sent:
                by_contact.setdefault(task.contact_id, []).append((task, reason))
        rows = [
            self._row(
                contact_id,
                OutboxKind.TASK_CLOSE,
                f"close:{contact_id}:{uuid4().hex}",
                TaskClose(tuple(task.key for task, _ in tasks), tasks[0][1]),
                now,
            )
            for contact_id, tasks in by_contact.items()
        ]
        insert_ignoring_duplicates(self.tx.connection, OUTBOX, rows, ("crm", "dedupe_key"))

    def drop_pending(self, ids: Sequence[str], reason: str, now: datetime) -> int:
        """These contacts' writes still waiting are dropped, with why (the contact is gone from the
        CRM: a write to it can only fail); how many."""
        if not ids:
            return 0
        o = OUTBOX.c
        dropped = self.tx.connection.execute(
            update(OUTBOX)
            .where(o.crm == self.crm, o.contact_id.in_(list(ids)), o.status.in_(OPEN))
            .values(status=OutboxStatus.DEAD.value, last_error=reason, updated_at=now)
        )
        return int(dropped.rowcount or 0)

    def add_notices(self, notices: Sequence[Notice], now: datetime) -> None:
        """Queue notices; one already queued under the same key (decided before) is not added again."""
        rows = [self._row(n.contact_id, kind_of(n.payload), n.key, n.payload, now) for n in notices]
        insert_ignoring_duplicates(self.tx.connection, OUTBOX, rows, ("crm", "dedupe_key"))

    def _row(
        self, contact_id: str, kind: OutboxKind, key: str, payload: Payload, now: datetime
    ) -> dict[str, Any]:
        return {
            "crm": self.crm,
            "contact_id": contact_id,
            "kind": kind.value,
            "dedupe_key": key,
            "payload": payload.to_dict(),
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }

    def claim(self, now: datetime, after: int, limit: int) -> list[Entry]:
        """The next due entries after id `after`, marked in flight (an attempt is counted)."""
        o = OUTBOX.c
        found = self.tx.connection.execute(
            select(o.id, o.contact_id, o.kind, o.dedupe_key, o.payload, o.attempts)
            .where(o.crm == self.crm, o.status.in_(OPEN), o.next_attempt_at <= now, o.id > after)
            .order_by(o.id)
            .limit(limit)
        ).all()
        if found:
            self.tx.connection.execute(
                update(OUTBOX)
                .where(o.id.in_([r.id for r in found]))
                .values(status=OutboxStatus.INFLIGHT.value, attempts=o.attempts + 1, updated_at=now)
            )
        return [
            Entry(
                r.id,
                r.contact_id,
                OutboxKind(r.kind),
                r.dedupe_key,
                payload_from(OutboxKind(r.kind), r.payload),
                r.attempts + 1,
            )
            for r in found
        ]

    def settle(self, settlements: Sequence[Settlement], now: datetime) -> None:
        """Record each answer in the outbox and the ledger, in the caller's transaction."""
        codec = self.tx.codec
        at = codec.instant(now)
        execute_many(
            self.tx.connection,
            f"UPDATE outbox SET status = {codec.mark}, last_error = {codec.mark}, "
            f"next_attempt_at = {codec.mark}, attempts = {codec.mark}, updated_at = {codec.mark} "
            f"WHERE id = {codec.mark}",
            [
                (s.status.value, s.error, codec.instant(s.retry_at), s.attempts, at, s.entry.id)
                for s in settlements
            ],
        )
        insert_rows(
            self.tx.connection,
            "write_ledger",
            ("crm", "contact_id", "outbox_id", "kind", "payload", "ok", "error", "written_at"),
            [
                (
                    self.crm,
                    s.entry.contact_id,
                    s.entry.id,
                    s.entry.kind.value,
                    codec.json(s.entry.payload.to_dict()),
                    s.ok,
                    s.error,
                    at,
                )
                for s in settlements
            ],
        )

    def depth(self) -> dict[OutboxStatus, int]:
        o = OUTBOX.c
        rows = self.tx.connection.execute(
            select(o.status, func.count()).where(o.crm == self.crm).group_by(o.status)
        ).all()
        return {OutboxStatus(status): count for status, count in rows}

    def for_contact(self, contact_id: str, statuses: Sequence[OutboxStatus] | None = None) -> list[Row]:
        o = OUTBOX.c
        query = select(OUTBOX).where(o.crm == self.crm, o.contact_id == contact_id)
        if statuses is not None:
            query = query.where(o.status.in_([s.value for s in statuses]))
        return [self._entry(r) for r in self.tx.connection.execute(query.order_by(o.id))]

    def created(self, kind: OutboxKind, since: datetime, until: datetime | None = None) -> list[Row]:
        """Entries of a kind created in [since, until] (or since), oldest first."""
        o = OUTBOX.c
        query = select(OUTBOX).where(o.crm == self.crm, o.kind == kind.value, o.created_at >= since)
        if until is not None:
            query = query.where(o.created_at <= until)
        return [self._entry(r) for r in self.tx.connection.execute(query.order_by(o.id))]

    def failures(self, contact_id: str, limit: int) -> list[LedgerEntry]:
        ledger = LEDGER.c
        rows = self.tx.connection.execute(
            select(ledger.outbox_id, ledger.kind, ledger.ok, ledger.error, ledger.written_at)
            .where(ledger.crm == self.crm, ledger.contact_id == contact_id, ledger.ok.is_(False))
            .order_by(ledger.id.desc())
            .limit(limit)
        )
        return [LedgerEntry(r.outbox_id, OutboxKind(r.kind), r.ok, r.error, r.written_at) for r in rows]

    @staticmethod
    def _entry(row: Any) -> Row:
        kind = OutboxKind(row.kind)
        return Row(
            row.id,
            row.contact_id,
            kind,
            row.dedupe_key,
            payload_from(kind, row.payload),
            OutboxStatus(row.status),
            row.attempts,
            row.last_error,
            row.created_at,
        )
