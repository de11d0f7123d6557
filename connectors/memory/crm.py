"""An in-memory CRM that implements the connector protocol directly, for tests and benchmarks.

It keeps the CRM behaviours the runtime must cope with: modification times that move on every
write (ours included), per-record write rejections, transient failures and rate limits, and a
log of every value change so a test can prove a decided change reached the CRM exactly once.
State lives in SQLite — ":memory:" by default, or a file so that another process (a daemon
killed with SIGKILL and restarted) sees the same CRM.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from handoff.connectors.errors import RateLimited, Transient, record_problem
from handoff.connectors.protocol import (
    ActivityPull,
    Budget,
    ContactPage,
    CrmOwner,
    DealChange,
    DealPage,
    FieldUpdate,
    Rejected,
    TaskRequest,
    Window,
    WriteResult,
)
from handoff.connectors.retry import DEFAULT_RETRY, RetryPolicy
from handoff.lifecycle.codec import (
    activity_from_record,
    activity_to_json,
    contact_from_json,
    contact_to_json,
    deal_from_json,
    deal_to_json,
)
from handoff.lifecycle.observed import CrmContact
from handoff.lifecycle.outputs import CONTACT_KEYS, FieldValues, OutputField
from handoff.lifecycle.records import Activity, Contact, Deal

_SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (
    id TEXT PRIMARY KEY, data TEXT NOT NULL, outputs TEXT NOT NULL DEFAULT '{}',
    account_owner_id TEXT, modified_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS contacts_modified ON contacts (modified_at, id);
CREATE TABLE IF NOT EXISTS activities (
    id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, data TEXT NOT NULL, modified_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS activities_contact ON activities (contact_id);
CREATE TABLE IF NOT EXISTS owners (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_key ON tasks (key);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, contact_id TEXT NOT NULL, field TEXT NOT NULL,
    old TEXT, new TEXT, source TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS faults (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, contact_id TEXT NOT NULL, data TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS versions_contact ON versions (contact_id);
CREATE TABLE IF NOT EXISTS requests (operation TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deals (
    id TEXT PRIMARY KEY, data TEXT NOT NULL, contact_ids TEXT NOT NULL, modified_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS deals_modified ON deals (modified_at, id);
"""


@dataclass
class Faults:
    """Failures the CRM injects, and its page sizes; stored with the CRM so that a separate process
    (a daemon under test) sees them too."""

    reject_contacts: dict[str, str] = field(default_factory=dict)
    transient_rate: float = 0.0
    rate_limit_rate: float = 0.0
    seed: int = 0
    page_size: int | None = None
    write_batch_size: int | None = None
    operations: list[str] | None = None
    """Only these operations fail (all, when None): e.g. ["batch_update"]."""


class MemoryCrm:
    name = "memory"

    def __init__(
        self,
        path: str = ":memory:",
        *,
        page_size: int = 200,
        write_batch_size: int = 100,
        clock: Any = None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self._retry = retry
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        faults = self.faults()
        self._rng = random.Random(faults.seed)
        self.page_size = faults.page_size or page_size
        self.write_batch_size = faults.write_batch_size or write_batch_size

    # -- seeding and inspection (what a test or a person does in the CRM) -----------------------

    def put_contacts(
        self, records: Sequence[tuple[Contact, str | None]], modified_at: datetime | None = None
    ) -> None:
        """Create or replace contacts (with their account owner), as a CSV import would."""
        at = _ts(modified_at or self._clock())
        rows = [(c.id, _dumps(contact_to_json(c)), account_owner, at) for c, account_owner in records]
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO contacts (id, data, account_owner_id, modified_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data, "
                "account_owner_id = excluded.account_owner_id, modified_at = excluded.modified_at",
                rows,
            )

    def put_activities(self, records: Sequence[tuple[str, Activity]], *, touch: bool = True) -> None:
        """Log activities; like a real CRM, an activity also moves its contact's modification time."""
        moment = self._clock()
        now = _ts(moment)
        rows = [(a.id, cid, _dumps(activity_to_json(a)), now) for cid, a in records]
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO activities (id, contact_id, data, modified_at) VALUES (?, ?, ?, ?)",
                rows,
            )
            if touch:
                ids = sorted({cid for cid, _ in records})
                db.executemany(
                    "UPDATE contacts SET modified_at = ?, data = json_set(data, '$.activity_at', ?) "
                    "WHERE id = ?",
                    [(now, moment.isoformat(), i) for i in ids],
                )

    def put_owners(self, owners: Sequence[CrmOwner]) -> None:
        rows = [(o.id, _dumps(asdict(o))) for o in owners]
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO owners (id, data) VALUES (?, ?)", rows)

    def put_deals(
        self, records: Sequence[tuple[Deal, Sequence[str]]], modified_at: datetime | None = None
    ) -> None:
        """Create or replace deals with the contacts they are associated with, as a rep does."""
        self.put_deal_data([(d.id, deal_to_json(d), contact_ids) for d, contact_ids in records], modified_at)

    def put_deal_data(
        self,
        records: Sequence[tuple[str, Mapping[str, Any], Sequence[str]]],
        modified_at: datetime | None = None,
    ) -> None:
        """Deals as raw data (id, fields, contact ids): a test's way to store one handoff cannot read."""
        at = _ts(modified_at or self._clock())
        rows = [(i, _dumps(dict(data)), _dumps(list(contacts)), at) for i, data, contacts in records]
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO deals (id, data, contact_ids, modified_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data, "
                "contact_ids = excluded.contact_ids, modified_at = excluded.modified_at",
                rows,
            )

    def rep_edit(self, contact_id: str, **changes: Any) -> None:
        """A rep edits the contact in the CRM (accepts, documents evidence, rejects with a reason)."""
        with self._transaction() as db:
            data, outputs = self._load(db, contact_id)
            for key, value in changes.items():
                self._log_change(db, contact_id, key, data.get(key), value, source="rep")
                data[key] = value
            self._store(db, contact_id, data, outputs)
            # Like a CRM's property history: the contact as it stood after each edit by a person.
            db.execute(
                "INSERT INTO versions (contact_id, data, at) VALUES (?, ?, ?)",
                (contact_id, _dumps(data), _ts(self._clock())),
            )

    def contact(self, contact_id: str) -> CrmContact:
        with self._lock:
            row = self._db.execute(
                "SELECT id, data, outputs, account_owner_id, modified_at FROM contacts WHERE id = ?",
                (contact_id,),
            ).fetchone()
        return _to_crm_contact(row)

    def tasks(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT data FROM tasks ORDER BY id").fetchall()
        return [orjson.loads(data) for (data,) in rows]

    def changes(self, source: str | None = None) -> list[tuple[str, str, str | None, str | None]]:
        """Every value change (contact, field, old, new) in order; `source` "handoff" or "rep"."""
        query = "SELECT contact_id, field, old, new FROM changes"
        args: tuple[str, ...] = ()
        if source is not None:
            query += " WHERE source = ?"
            args = (source,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY seq", args).fetchall()
        return [(contact_id, name, old, new) for contact_id, name, old, new in rows]

    def request_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._db.execute("SELECT operation, count FROM requests").fetchall())

    def faults(self) -> Faults:
        with self._lock:
            rows = dict(self._db.execute("SELECT name, value FROM faults").fetchall())
        return Faults(**{name: orjson.loads(value) for name, value in rows.items()})

    def set_faults(self, faults: Faults) -> None:
        rows = [(name, _dumps(getattr(faults, name))) for name in Faults.__dataclass_fields__]
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO faults (name, value) VALUES (?, ?)", rows)
        self._rng = random.Random(faults.seed)
        self.page_size = faults.page_size or self.page_size
        self.write_batch_size = faults.write_batch_size or self.write_batch_size

    def close(self) -> None:
        self._db.close()

    # -- the connector protocol -------------------------------------------------------------------

    def pull_contacts(self, window: Window, resume: str | None = None) -> Iterator[ContactPage]:
        columns = "id, data, outputs, account_owner_id, modified_at"
        for rows, token in self._keyset("search", "contacts", columns, window, resume):
            contacts, rejected = _map_contacts(rows)
            yield ContactPage(contacts, rejected, token)

    def _keyset(
        self, operation: str, table: str, columns: str, window: Window, resume: str | None
    ) -> Iterator[tuple[list[tuple[Any, ...]], str | None]]:
        """Rows of `table` modified in the window, by (modified_at, id), a page at a time, each
        with the token to resume after it (None after the last). `columns` start with the id
        and end with modified_at."""
        after_at, after_id = (float(resume.split("|")[0]), resume.split("|", 1)[1]) if resume else (-1.0, "")
        start = _ts(window.start) if window.start else -1.0
        end = _ts(window.end)
        while True:
            self._gate(operation)
            with self._lock:
                rows = self._db.execute(
                    f"SELECT {columns} FROM {table} "
                    "WHERE modified_at >= ? AND modified_at <= ? AND (modified_at, id) > (?, ?) "
                    "ORDER BY modified_at, id LIMIT ?",
                    (start, end, after_at, after_id, self.page_size),
                ).fetchall()
            done = len(rows) < self.page_size
            if rows:
                after_at, after_id = rows[-1][-1], rows[-1][0]
            yield rows, None if done else f"{after_at!r}|{after_id}"
            if done:
                return

    def count_contacts(self, window: Window) -> int | None:
        self._gate("count")
        start = _ts(window.start) if window.start else -1.0
        with self._lock:
            found: int = self._db.execute(
                "SELECT count(*) FROM contacts WHERE modified_at >= ? AND modified_at <= ?",
                (start, _ts(window.end)),
            ).fetchone()[0]
        return found

    def pull_contacts_by_id(self, ids: Sequence[str]) -> ContactPage:
        self._gate("read")
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                "SELECT id, data, outputs, account_owner_id, modified_at FROM contacts "
                f"WHERE id IN ({marks})",
                tuple(ids),
            ).fetchall()
        contacts, rejected = _map_contacts(rows)
        found = {row[0] for row in rows}
        return ContactPage(contacts, rejected, gone=tuple(i for i in ids if i not in found))

    def pull_activities(self, contact_ids: Sequence[str], since: datetime | None) -> ActivityPull:
        self._gate("activities")
        marks = ",".join("?" * len(contact_ids))
        floor = _ts(since) if since else -1.0
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, contact_id, data FROM activities WHERE contact_id IN ({marks}) "
                "AND modified_at >= ? ORDER BY id",
                (*contact_ids, floor),
            ).fetchall()
        by_contact: dict[str, list[Activity]] = {}
        rejected: list[Rejected] = []
        for activity_id, contact_id, data in rows:
            try:
                by_contact.setdefault(contact_id, []).append(_activity(data))
            except (ValueError, KeyError, TypeError) as error:
                rejected.append(Rejected(activity_id, "activities", str(error), {"contact_id": contact_id}))
        return ActivityPull(by_contact, rejected)

    def pull_history(self, ids: Sequence[str]) -> dict[str, tuple[tuple[datetime, Contact], ...]]:
        self._gate("history")
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT contact_id, data, at FROM versions WHERE contact_id IN ({marks}) ORDER BY seq",
                tuple(ids),
            ).fetchall()
        found: dict[str, list[tuple[datetime, Contact]]] = {}
        for contact_id, data, at in rows:
            found.setdefault(contact_id, []).append((_from_ts(at), contact_from_json(data)))
        return {contact_id: tuple(versions) for contact_id, versions in found.items()}

    def pull_owners(self) -> list[CrmOwner]:
        self._gate("owners")
        with self._lock:
            rows = self._db.execute("SELECT data FROM owners ORDER BY id").fetchall()
        return [_owner_from_dict(orjson.loads(data)) for (data,) in rows]

    def pull_deals(self, window: Window, resume: str | None = None) -> Iterator[DealPage]:
        columns = "id, data, contact_ids, modified_at"
        for rows, token in self._keyset("deals", "deals", columns, window, resume):
            changes: list[DealChange] = []
            rejected: list[Rejected] = []
            for deal_id, data, contact_ids, modified_at in rows:
                try:
                    deal = deal_from_json(data)
                except ValueError as error:  # pydantic's ValidationError is one
                    rejected.append(Rejected(deal_id, "deals", record_problem(error), {"data": data}))
                    continue
                contacts = tuple(sorted(orjson.loads(contact_ids)))
                changes.append(DealChange(deal, contacts, _from_ts(modified_at)))
            yield DealPage(changes, rejected, token)

    def write_fields(self, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        results: list[WriteResult] = []
        for start in range(0, len(updates), self.write_batch_size):
            results += self._write_batch(updates[start : start + self.write_batch_size])
        return results

    def create_tasks(self, tasks: Sequence[TaskRequest]) -> list[WriteResult]:
        self._gate("tasks")
        rows = [(t.key, _dumps(_task_to_dict(t, self._clock()))) for t in tasks]
        with self._transaction() as db:
            # Like a real CRM, creating the same task twice makes two tasks: idempotency is ours to keep.
            db.executemany("INSERT INTO tasks (key, data) VALUES (?, ?)", rows)
        return [WriteResult(t.key, ok=True) for t in tasks]

    def existing_task_keys(self, keys: Sequence[str]) -> set[str]:
        self._gate("tasks_read")
        marks = ",".join("?" * len(keys))
        with self._lock:
            rows = self._db.execute(f"SELECT key FROM tasks WHERE key IN ({marks})", tuple(keys)).fetchall()
        return {key for (key,) in rows}

    def complete_tasks(self, keys: Sequence[str]) -> list[WriteResult]:
        self._gate("tasks_update")
        marks = ",".join("?" * len(keys))
        with self._transaction() as db:
            rows = db.execute(f"SELECT id, data FROM tasks WHERE key IN ({marks})", tuple(keys)).fetchall()
            at = self._clock().isoformat()
            done = [(_dumps({"completed_at": at, **orjson.loads(data)}), task_id) for task_id, data in rows]
            db.executemany("UPDATE tasks SET data = ? WHERE id = ?", done)
        return [WriteResult(key, ok=True) for key in keys]

    def budget(self) -> Budget:
        return Budget(remaining=None, limit=None)

    # -- internals --------------------------------------------------------------------------------

    def _write_batch(self, batch: Sequence[FieldUpdate]) -> list[WriteResult]:
        """One batch update, read and written with one statement each, as a CRM's batch API is."""
        self._gate("batch_update")
        rejects = self.faults().reject_contacts
        now = self._clock()
        at = _ts(now)
        results: list[WriteResult] = []
        with self._transaction() as db:
            ids = [u.contact_id for u in batch]
            marks = ",".join("?" * len(ids))
            rows = db.execute(f"SELECT id, data, outputs FROM contacts WHERE id IN ({marks})", ids).fetchall()
            stored = {cid: (orjson.loads(data), orjson.loads(outputs)) for cid, data, outputs in rows}
            changes: list[tuple[Any, ...]] = []
            writes: list[tuple[Any, ...]] = []
            for update in batch:
                if update.contact_id in rejects:
                    error = rejects[update.contact_id]
                    results.append(WriteResult(update.contact_id, ok=False, error=error, permanent=True))
                    continue
                if update.contact_id not in stored:
                    results.append(
                        WriteResult(update.contact_id, ok=False, error="no such contact", permanent=True)
                    )
                    continue
                data, outputs = stored[update.contact_id]
                changes += _apply(update, data, outputs, now)
                writes.append((_dumps(data), _dumps(outputs), at, update.contact_id))
                results.append(WriteResult(update.contact_id, ok=True))
            db.executemany(
                "INSERT INTO changes (contact_id, field, old, new, source, at) "
                "VALUES (?, ?, ?, ?, 'handoff', ?)",
                [(*change, at) for change in changes],
            )
            db.executemany("UPDATE contacts SET data = ?, outputs = ?, modified_at = ? WHERE id = ?", writes)
        return results

    def _load(self, db: sqlite3.Connection, contact_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        row = db.execute("SELECT data, outputs FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        if row is None:
            raise KeyError(contact_id)
        return orjson.loads(row[0]), orjson.loads(row[1])

    def _store(
        self, db: sqlite3.Connection, contact_id: str, data: dict[str, Any], outputs: dict[str, Any]
    ) -> None:
        db.execute(
            "UPDATE contacts SET data = ?, outputs = ?, modified_at = ? WHERE id = ?",
            (_dumps(data), _dumps(outputs), _ts(self._clock()), contact_id),
        )

    def _log_change(
        self, db: sqlite3.Connection, contact_id: str, name: str, old: Any, new: Any, *, source: str
    ) -> None:
        db.execute(
            "INSERT INTO changes (contact_id, field, old, new, source, at) VALUES (?, ?, ?, ?, ?, ?)",
            (contact_id, name, _text(old), _text(new), source, _ts(self._clock())),
        )

    def _gate(self, operation: str) -> None:
        """Count the request and inject faults under the one retry policy, as a real connector's
        HTTP call would be; the work itself happens after the gate lets the request through."""
        self._retry.call(operation, lambda: self._attempt(operation))

    def _attempt(self, operation: str) -> None:
        self._request(operation)
        self._maybe_fail(operation)

    def _request(self, operation: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO requests (operation, count) VALUES (?, 1) "
                "ON CONFLICT (operation) DO UPDATE SET count = count + 1",
                (operation,),
            )

    def _maybe_fail(self, operation: str) -> None:
        faults = self.faults()
        if faults.operations is not None and operation not in faults.operations:
            return
        roll = self._rng.random()
        if roll < faults.rate_limit_rate:
            raise RateLimited(
                "rate limited by the memory CRM", retry_after=0.0, crm=self.name, operation=operation
            )
        if roll < faults.rate_limit_rate + faults.transient_rate:
            raise Transient("memory CRM unavailable", crm=self.name, operation=operation)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)


class _Transaction:
    """One SQLite transaction under the CRM's lock: its writes land together or not at all."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            self._db.execute("ROLLBACK" if error else "COMMIT")
        finally:
            self._lock.release()


def _map_contacts(rows: list[tuple[Any, ...]]) -> tuple[list[CrmContact], list[Rejected]]:
    contacts: list[CrmContact] = []
    rejected: list[Rejected] = []
    for row in rows:
        try:
            contacts.append(_to_crm_contact(row))
        except ValueError as error:
            rejected.append(Rejected(row[0], "contacts", str(error), {"data": row[1]}))
    return contacts, rejected


def _to_crm_contact(row: tuple[Any, ...]) -> CrmContact:
    _, data, outputs, account_owner_id, modified_at = row
    contact = contact_from_json(data)
    stored = orjson.loads(outputs)
    raw = orjson.loads(data)
    written: FieldValues = {}
    for output in OutputField:
        key = CONTACT_KEYS.get(output)
        written[output] = _text(raw.get(key)) if key else stored.get(output.value)
    return CrmContact(contact, _from_ts(modified_at), written, account_owner_id)


def _apply(
    update: FieldUpdate, data: dict[str, Any], outputs: dict[str, Any], now: datetime
) -> list[tuple[str, str, str | None, str | None]]:
    """Apply the update to the stored contact; the changes it made (contact, field, old, new)."""
    changes = []
    for output, value in update.fields.items():
        key = CONTACT_KEYS.get(output)
        old = data.get(key) if key else outputs.get(output.value)
        if old == value:
            continue
        changes.append((update.contact_id, output.value, _text(old), _text(value)))
        if key:
            data[key] = value
            if output is OutputField.STAGE:
                data["stage_entered_at"] = now.isoformat()
        else:
            outputs[output.value] = value
    return changes


def _activity(data: str) -> Activity:
    """An activity this CRM stored itself (validated when it was put), decoded without pydantic:
    a 100,000-contact pull decodes two million of them."""
    item = orjson.loads(data)
    return activity_from_record(
        item["id"],
        item["kind"],
        datetime.fromisoformat(item["occurred_at"]),
        item.get("owner_id"),
        item.get("attributes") or {},
    )


def _owner_from_dict(data: dict[str, Any]) -> CrmOwner:
    return CrmOwner(
        id=data["id"],
        email=data["email"],
        name=data["name"],
        active=data["active"],
        is_queue=data["is_queue"],
        teams=tuple(data["teams"]),
    )


def _task_to_dict(task: TaskRequest, created_at: datetime) -> dict[str, Any]:
    return {
        "key": task.key,
        "contact_id": task.contact_id,
        "owner_id": task.owner_id,
        "subject": task.subject,
        "body": task.body,
        "due_at": task.due_at.isoformat(),
        "priority": task.priority,
        "created_at": created_at.isoformat(),
    }


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def _from_ts(value: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=value)
