"""Flush: send the outbox to the CRM in batches, record every answer in the ledger.

A row is marked in flight before it is sent, and settled after: sent, retried later with backoff,
or dead and quarantined with the CRM's error. A row found in flight at the start of a flush was
interrupted by a crash; field writes are simply sent again (they set values, so a repeat changes
nothing), and tasks are first looked up by their key so a crash never creates one twice.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from handoff.connectors.errors import BudgetExhausted, CrmError, Permanent, RateLimited, Transient
from handoff.connectors.protocol import CONTACT_KEYS, FieldUpdate, OutputField, TaskRequest, WriteResult
from handoff.store.db import transaction
from handoff.store.models import CONTACT, LEDGER, OUTBOX
from handoff.store.statistics import refresh_statistics
from handoff.sync.mirror import quarantine_rows
from handoff.sync.runtime import Runtime

CLAIM_SIZE = 1000
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class FlushCounts:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    paused_until: datetime | None = None


@dataclass(frozen=True)
class Row:
    id: int
    contact_id: str
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    attempts: int


def flush_outbox(rt: Runtime, now: datetime, *, stop: threading.Event | None = None) -> FlushCounts:
    counts = FlushCounts()
    after = 0
    while counts.paused_until is None and (stop is None or not stop.is_set()):
        refresh_statistics(rt.engine)
        rows = _claim(rt, now, after)
        if not rows:
            break
        after = rows[-1].id
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            groups[row.kind].append(row)
        for kind, batch in groups.items():
            _send(rt, kind, batch, now, counts)
    _observe_depth(rt)
    return counts


def _claim(rt: Runtime, now: datetime, after: int) -> list[Row]:
    o = OUTBOX.c
    with transaction(rt.engine) as connection:
        found = connection.execute(
            select(o.id, o.contact_id, o.kind, o.dedupe_key, o.payload, o.attempts)
            .where(
                o.crm == rt.crm, o.status.in_(("pending", "inflight")), o.next_attempt_at <= now, o.id > after
            )
            .order_by(o.id)
            .limit(CLAIM_SIZE)
        ).all()
        if found:
            connection.execute(
                update(OUTBOX)
                .where(o.id.in_([r.id for r in found]))
                .values(status="inflight", attempts=o.attempts + 1, updated_at=now)
            )
    return [Row(r.id, r.contact_id, r.kind, r.dedupe_key, r.payload, r.attempts + 1) for r in found]


def _send(rt: Runtime, kind: str, rows: list[Row], now: datetime, counts: FlushCounts) -> None:
    try:
        results = _SENDERS[kind](rt, rows)
    except BudgetExhausted as error:
        counts.paused_until = error.resets_at or now + MAX_BACKOFF
        _settle(rt, rows, _failed(rows, error), now, counts, retry_at=counts.paused_until)
        return
    except (RateLimited, Transient) as error:
        results = _failed(rows, error)
    except Permanent as error:
        if len(rows) > 1:
            # One bad record must not sink the batch: send each alone to find it.
            for row in rows:
                _send(rt, kind, [row], now, counts)
            return
        results = [WriteResult(rows[0].dedupe_key, ok=False, error=str(error), permanent=True)]
    except CrmError as error:
        _settle(rt, rows, _failed(rows, error), now, counts, retry_at=now)
        raise
    _settle(rt, rows, results, now, counts)


def _failed(rows: list[Row], error: CrmError) -> list[WriteResult]:
    return [WriteResult(row.dedupe_key, ok=False, error=str(error)) for row in rows]


def _send_fields(rt: Runtime, rows: list[Row]) -> list[WriteResult]:
    updates = [
        FieldUpdate(
            contact_id=row.contact_id,
            fields={OutputField(k): v for k, v in row.payload["fields"].items()},
            current={OutputField(k): v for k, v in row.payload.get("current", {}).items()},
            stage_before=row.payload.get("stage_before"),
        )
        for row in rows
    ]
    by_contact = {result.key: result for result in rt.connector.write_fields(updates)}
    return [_rekey(by_contact.get(row.contact_id), row) for row in rows]


def _send_tasks(rt: Runtime, rows: list[Row]) -> list[WriteResult]:
    retried = [row.dedupe_key for row in rows if row.attempts > 1]
    existing = rt.connector.existing_task_keys(retried) if retried else set()
    fresh = [row for row in rows if row.dedupe_key not in existing]
    requests = [
        TaskRequest(
            key=row.dedupe_key,
            contact_id=row.contact_id,
            owner_id=row.payload["owner_id"],
            subject=row.payload["subject"],
            body=row.payload["body"],
            due_at=datetime.fromisoformat(row.payload["due_at"]),
            priority=row.payload.get("priority", "HIGH"),
        )
        for row in fresh
    ]
    created = {result.key: result for result in rt.connector.create_tasks(requests)} if requests else {}
    return [
        WriteResult(row.dedupe_key, ok=True)
        if row.dedupe_key in existing
        else _rekey(created.get(row.dedupe_key), row)
        for row in rows
    ]


def _send_chat(rt: Runtime, rows: list[Row]) -> list[WriteResult]:
    channels = {channel.name: channel for channel in rt.channels}
    results = []
    for row in rows:
        channel = channels.get(row.payload["channel"])
        if channel is None:
            results.append(
                WriteResult(row.dedupe_key, ok=False, error="channel no longer configured", permanent=True)
            )
            continue
        try:
            channel.post(row.payload["text"])
        except (Transient, Permanent) as error:
            results.append(
                WriteResult(
                    row.dedupe_key, ok=False, error=str(error), permanent=isinstance(error, Permanent)
                )
            )
        else:
            results.append(WriteResult(row.dedupe_key, ok=True))
    return results


_SENDERS: dict[str, Callable[[Runtime, list[Row]], list[WriteResult]]] = {
    "fields": _send_fields,
    "task": _send_tasks,
    "chat": _send_chat,
}


def _rekey(result: WriteResult | None, row: Row) -> WriteResult:
    if result is None:
        return WriteResult(row.dedupe_key, ok=False, error="the CRM returned no result for this record")
    return WriteResult(row.dedupe_key, result.ok, result.error, result.permanent)


def _settle(
    rt: Runtime,
    rows: Sequence[Row],
    results: Sequence[WriteResult],
    now: datetime,
    counts: FlushCounts,
    *,
    retry_at: datetime | None = None,
) -> None:
    """Record each answer: sent, retry later, or dead and quarantined. One transaction per batch."""
    outcome = {result.key: result for result in results}
    limit = rt.settings.write_attempts
    marks: list[dict[str, Any]] = []
    dead: list[tuple[str, str, str, dict[str, Any]]] = []
    for row in rows:
        result = outcome[row.dedupe_key]
        mark = {
            "b_id": row.id,
            "b_status": "sent",
            "b_error": None,
            "b_next": now,
            "b_attempts": row.attempts,
        }
        if result.ok:
            counts.sent += 1
            rt.metrics.written.labels(row.kind).inc()
        elif result.permanent or (retry_at is None and row.attempts >= limit):
            mark.update(b_status="dead", b_error=result.error)
            dead.append((f"writes:{row.kind}", row.contact_id, result.error or "", row.payload))
            counts.dead += 1
            rt.metrics.write_errors.labels(row.kind).inc()
        else:
            backoff = min(timedelta(seconds=30 * 2 ** (row.attempts - 1)), MAX_BACKOFF)
            # A paused budget is nobody's fault: that attempt does not count against the row.
            attempts = row.attempts - 1 if retry_at is not None else row.attempts
            mark.update(
                b_status="pending",
                b_error=result.error,
                b_next=retry_at or now + backoff,
                b_attempts=attempts,
            )
            counts.failed += 1
            rt.metrics.write_errors.labels(row.kind).inc()
        marks.append(mark)
    with transaction(rt.engine) as connection:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                last_error=bindparam("b_error"),
                next_attempt_at=bindparam("b_next"),
                attempts=bindparam("b_attempts"),
                updated_at=now,
            ),
            marks,
        )
        connection.execute(
            LEDGER.insert(), [_ledger_row(rt.crm, row, outcome[row.dedupe_key], now) for row in rows]
        )
        quarantine_rows(connection, rt.crm, dead, now)
        confirmed = [row for row in rows if row.kind == "fields" and outcome[row.dedupe_key].ok]
        _remember_written(connection, rt.crm, confirmed, now)


def _remember_written(connection: Connection, crm: str, rows: list[Row], now: datetime) -> None:
    """The CRM now holds what we sent; the mirror says so, so the next diff (and the next SLA tick,
    which does not pull) starts from the truth rather than from the record as last pulled."""
    if not rows:
        return
    c = CONTACT.c
    current = {
        found.id: found
        for found in connection.execute(
            select(c.id, c.written, c.data).where(c.crm == crm, c.id.in_([row.contact_id for row in rows]))
        )
    }
    params = []
    for row in rows:
        if row.contact_id not in current:
            continue
        fields = row.payload["fields"]
        data = dict(current[row.contact_id].data)
        for output, key in CONTACT_KEYS.items():
            if output.value in fields:
                data[key] = fields[output.value]
        if OutputField.STAGE.value in fields:
            data["stage_entered_at"] = now.isoformat()
        written = {**current[row.contact_id].written, **fields}
        params.append({"b_crm": crm, "b_id": row.contact_id, "b_written": written, "b_data": data})
    if params:
        connection.execute(
            update(CONTACT)
            .where(c.crm == bindparam("b_crm"), c.id == bindparam("b_id"))
            .values(written=bindparam("b_written"), data=bindparam("b_data")),
            params,
        )


def _ledger_row(crm: str, row: Row, result: WriteResult, now: datetime) -> dict[str, Any]:
    return {
        "crm": crm,
        "contact_id": row.contact_id,
        "outbox_id": row.id,
        "kind": row.kind,
        "payload": row.payload,
        "ok": result.ok,
        "error": result.error,
        "written_at": now,
    }


def _observe_depth(rt: Runtime) -> None:
    o = OUTBOX.c
    with transaction(rt.engine) as connection:
        depth: dict[str, int] = dict(
            connection.execute(
                select(o.status, func.count())
                .where(o.crm == rt.crm, o.status.in_(("pending", "dead")))
                .group_by(o.status)
            ).all()
        )
    for status in ("pending", "dead"):
        rt.metrics.outbox_depth.labels(status).set(depth.get(status, 0))
