"""Pull: read what changed in the CRM into the mirror, advancing the cursor with the data.

Each page is fetched (contacts, then their activities), then written in one transaction together
with the cursor's progress. A kill between pages loses nothing: the window and the page token are
saved, and the next run continues the same window. Re-reading the look-back overlap is harmless:
records are de-duplicated by (id, modification time) and upserted.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, delete, select

from handoff.connectors.protocol import ActivityPull, ContactPage, CrmContact, OutputField, Rejected, Window
from handoff.lifecycle.codec import activities_from_json, activity_to_json, contact_to_json
from handoff.lifecycle.records import Activity
from handoff.store.cursors import Cursor, load_cursor, save_cursor
from handoff.store.db import transaction, upsert
from handoff.store.models import CONTACT, DECISION, QUARANTINE, STAGE_HISTORY
from handoff.store.statistics import refresh_statistics
from handoff.sync.runtime import Runtime

CONTACTS_STREAM = "contacts"
# Activities older than this are dropped from the mirror: past any scoring window and SLA clock.
RETENTION = timedelta(days=400)
# Fields that change on every write (ours included) and say nothing about the lead.
_VOLATILE = ("updated_at",)


@dataclass
class PullCounts:
    pulled: int = 0
    changed: int = 0
    quarantined: int = 0
    pages: int = 0
    complete: bool = True


def pull_changes(
    rt: Runtime,
    now: datetime,
    *,
    stream: str = CONTACTS_STREAM,
    window: Window | None = None,
    stop: threading.Event | None = None,
    force: bool = False,
    on_page: Callable[[int], None] | None = None,
) -> PullCounts:
    """Pull the stream's next window (or `window`, for a backfill) page by page into the mirror."""
    with transaction(rt.engine) as connection:
        cursor = load_cursor(connection, rt.crm, stream)
    resume: str | None = None
    if cursor.in_progress and cursor.window_end is not None:
        window, resume = Window(cursor.window_start, cursor.window_end), cursor.resume
    elif window is None:
        lookback = timedelta(seconds=rt.settings.lookback_seconds)
        window = Window(cursor.value - lookback if cursor.value else None, now)
    counts = PullCounts()
    for page in rt.connector.pull_contacts(window, resume):
        progress = (
            Cursor(cursor.value, window.start, window.end, page.resume) if page.resume else Cursor(window.end)
        )
        ingest_page(rt, page, now, force=force, cursor=(stream, progress))
        refresh_statistics(rt.engine)
        counts.pages += 1
        counts.pulled += len(page.contacts)
        counts.quarantined += len(page.rejected)
        if on_page is not None:
            on_page(len(page.contacts))
        if page.resume and stop is not None and stop.is_set():
            counts.complete = False
            break
    rt.metrics.pulled.inc(counts.pulled)
    return counts


def ingest_page(
    rt: Runtime,
    page: ContactPage,
    now: datetime,
    *,
    force: bool = False,
    cursor: tuple[str, Cursor] | None = None,
) -> int:
    """Upsert one page of contacts (and their activities) into the mirror; return how many changed.

    `cursor` (stream, position) is saved in the same transaction as the page, so the mirror and
    the cursor never disagree. `force` treats every record as changed (the nightly reconcile)."""
    ids = [record.contact.id for record in page.contacts]
    with transaction(rt.engine) as reader:
        known = _known(reader, rt.crm, ids)
    fresh = [r for r in page.contacts if force or _is_news(r, known.get(r.contact.id))]
    activities = _pull_activities(rt, fresh, known)
    rejected = [*page.rejected, *activities.rejected]
    rows = [_row(rt.crm, record, known.get(record.contact.id), activities, now) for record in fresh]
    if force:
        for row in rows:
            row["dirty"] = True
    with transaction(rt.engine) as writer:
        upsert(writer, CONTACT, rows, ("crm", "id"))
        if cursor is not None:
            save_cursor(writer, rt.crm, cursor[0], cursor[1], now)
        _record_crm_moves(writer, rt.crm, fresh, known, now)
        _quarantine(writer, rt.crm, rejected, now)
        if fresh:
            writer.execute(
                delete(QUARANTINE).where(
                    QUARANTINE.c.crm == rt.crm,
                    QUARANTINE.c.stream == "contacts",
                    QUARANTINE.c.record_id.in_([r.contact.id for r in fresh]),
                )
            )
    if rejected:
        rt.metrics.quarantined.inc(len(rejected))
    return sum(1 for row in rows if row["dirty"])


def _is_news(record: CrmContact, known: dict[str, Any] | None) -> bool:
    """De-duplicate the look-back overlap by (id, modification time), and by content when two
    changes share one timestamp, so that a same-millisecond change is never mistaken for a repeat."""
    if known is None or record.modified_at > known["remote_modified_at"]:
        return True
    same_time: bool = record.modified_at == known["remote_modified_at"]
    return same_time and _record_hash(record) != known["record_hash"]


def _record_hash(record: CrmContact) -> str:
    written = {field.value: value for field, value in record.written.items()}
    return _digest([contact_to_json(record.contact), written, record.account_owner_id])


def _digest(value: object) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _known(connection: Connection, crm: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    c = CONTACT.c
    rows = connection.execute(
        select(
            c.id,
            c.remote_modified_at,
            c.pulled_at,
            c.input_hash,
            c.record_hash,
            c.dirty,
            c.activities,
            c.written,
        ).where(c.crm == crm, c.id.in_(ids))
    )
    return {row.id: dict(row._mapping) for row in rows}


def _pull_activities(rt: Runtime, fresh: list[CrmContact], known: dict[str, dict[str, Any]]) -> ActivityPull:
    """One pull for the page: everything for a contact seen for the first time, else what changed
    since the oldest of these contacts was last pulled (minus the look-back)."""
    if not fresh:
        return ActivityPull({}, [])
    ids = [r.contact.id for r in fresh]
    since = None
    if all(i in known for i in ids):
        since = min(known[i]["pulled_at"] for i in ids) - timedelta(seconds=rt.settings.lookback_seconds)
    return rt.connector.pull_activities(ids, since=since)


def _row(
    crm: str, record: CrmContact, known: dict[str, Any] | None, pulled: ActivityPull, now: datetime
) -> dict[str, Any]:
    contact = record.contact
    data = contact_to_json(contact)
    activities = _merge_activities(
        known["activities"] if known else [],
        [activity_to_json(a) for a in pulled.by_contact.get(contact.id, [])],
        now,
    )
    inputs = {k: v for k, v in data.items() if k not in _VOLATILE}
    digest = _digest([inputs, activities, record.account_owner_id])
    written = {field.value: value for field, value in record.written.items()}
    return {
        "crm": crm,
        "id": contact.id,
        "email": contact.email,
        "data": data,
        "written": written,
        "activities": activities,
        "account_owner_id": record.account_owner_id,
        "input_hash": digest,
        "record_hash": _digest([data, written, record.account_owner_id]),
        "remote_modified_at": record.modified_at,
        "pulled_at": now,
        "dirty": known is None or bool(known["dirty"]) or known["input_hash"] != digest,
    }


def with_history(
    connection: Connection, crm: str, pulled: dict[str, list[Activity]], now: datetime
) -> dict[str, list[Activity]]:
    """What a cycle would score for these contacts: the mirror's history with the pulled activities
    merged in, read only (a dry run's view; forms before the CRM's first/recent pair live here)."""
    c = CONTACT.c
    ids = list(pulled)
    rows = connection.execute(select(c.id, c.activities).where(c.crm == crm, c.id.in_(ids)))
    stored: dict[str, list[dict[str, Any]]] = {row.id: row.activities for row in rows}
    return {
        contact_id: activities_from_json(
            _merge_activities(
                stored.get(contact_id, []), [activity_to_json(a) for a in pulled[contact_id]], now
            )
        )
        for contact_id in ids
    }


def _merge_activities(
    stored: list[dict[str, Any]], pulled: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    oldest = now - RETENTION
    merged = {item["id"]: item for item in stored}
    merged.update((item["id"], item) for item in pulled)
    dated = [(datetime.fromisoformat(item["occurred_at"]), item) for item in merged.values()]
    kept = [(when, item) for when, item in dated if when >= oldest]
    kept.sort(key=lambda pair: (pair[0], pair[1]["id"]))
    return [item for _, item in kept]


def _record_crm_moves(
    connection: Connection, crm: str, fresh: list[CrmContact], known: dict[str, dict[str, Any]], now: datetime
) -> None:
    """Audit stage changes made in the CRM (by a person or a deal), not echoes of handoff's writes."""
    moved = [
        r
        for r in fresh
        if r.contact.id in known
        and r.written.get(OutputField.STAGE) != known[r.contact.id]["written"].get(OutputField.STAGE.value)
    ]
    if not moved:
        return
    desired = dict(
        connection.execute(
            select(DECISION.c.contact_id, DECISION.c.desired).where(
                DECISION.c.crm == crm, DECISION.c.contact_id.in_([r.contact.id for r in moved])
            )
        ).all()
    )
    history = []
    for record in moved:
        new = record.written.get(OutputField.STAGE)
        if new is None or (desired.get(record.contact.id) or {}).get(OutputField.STAGE.value) == new:
            continue
        history.append(
            {
                "crm": crm,
                "contact_id": record.contact.id,
                "at": record.modified_at,
                "from_stage": known[record.contact.id]["written"].get(OutputField.STAGE.value),
                "to_stage": new,
                "actor": "crm",
                "rule": "crm",
                "signal": "crm_change",
                "detail": "stage changed in the CRM",
            }
        )
    if history:
        connection.execute(STAGE_HISTORY.insert(), history)


def _quarantine(connection: Connection, crm: str, rejected: Sequence[Rejected], now: datetime) -> None:
    quarantine_rows(
        connection,
        crm,
        [(r.stream, r.record_id, r.error, dict(r.raw)) for r in rejected],
        now,
    )


def quarantine_rows(
    connection: Connection, crm: str, items: Sequence[tuple[str, str, str, dict[str, Any]]], now: datetime
) -> None:
    """Quarantine records (stream, id, error, raw); a repeat offender bumps its count."""
    if not items:
        return
    q = QUARANTINE.c
    for stream, record_id, error, raw in items:
        existing = connection.execute(
            select(q.id, q.count).where(q.crm == crm, q.stream == stream, q.record_id == record_id)
        ).first()
        if existing is None:
            connection.execute(
                QUARANTINE.insert().values(
                    crm=crm,
                    stream=stream,
                    record_id=record_id,
                    error=error,
                    raw=_safe(raw),
                    first_seen=now,
                    last_seen=now,
                    count=1,
                )
            )
        else:
            connection.execute(
                QUARANTINE.update()
                .where(q.id == existing.id)
                .values(error=error, raw=_safe(raw), last_seen=now, count=existing._mapping["count"] + 1)
            )


def _safe(raw: dict[str, Any]) -> dict[str, Any]:
    """What the quarantine keeps of a raw record: JSON-able, and bounded in size."""
    text = json.dumps(raw, default=str)
    return json.loads(text) if len(text) <= 20_000 else {"truncated": text[:20_000]}
