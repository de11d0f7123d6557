"""Flush: send the outbox to the CRM in batches, record every answer in the ledger.

An entry is marked in flight before it is sent, and settled after: sent, retried later with
backoff, or dead and quarantined with the CRM's error. An entry found in flight at the start of a
flush was interrupted by a crash; field writes are simply sent again (they set values, so a repeat
changes nothing), and tasks are first looked up by their key so a crash never creates one twice.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handoff.connectors.errors import BudgetExhausted, CrmError, Permanent, RateLimited, Transient
from handoff.connectors.protocol import FieldUpdate, TaskRequest, WriteResult
from handoff.lifecycle.outputs import FieldValues
from handoff.store.outbox import (
    ChatWrite,
    Entry,
    FieldWrite,
    OutboxKind,
    OutboxStatus,
    Settlement,
    TaskClose,
    TaskWrite,
)
from handoff.store.quarantine import Problem
from handoff.sync.runtime import Runtime

CLAIM_SIZE = 1000
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class FlushCounts:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    paused_until: datetime | None = None


def flush_outbox(rt: Runtime, now: datetime, *, stop: threading.Event | None = None) -> FlushCounts:
    counts = FlushCounts()
    after = 0
    while counts.paused_until is None and (stop is None or not stop.is_set()):
        rt.store.refresh_statistics()
        with rt.store.begin() as tx:
            entries = tx.outbox.claim(now, after, CLAIM_SIZE)
        if not entries:
            break
        after = entries[-1].id
        groups: dict[OutboxKind, list[Entry]] = defaultdict(list)
        for entry in entries:
            groups[entry.kind].append(entry)
        for kind, batch in groups.items():
            _send(rt, kind, batch, now, counts)
    _observe_depth(rt)
    return counts


def _send(rt: Runtime, kind: OutboxKind, entries: list[Entry], now: datetime, counts: FlushCounts) -> None:
    try:
        results = _SENDERS[kind](rt, entries)
    except BudgetExhausted as error:
        counts.paused_until = error.resets_at or now + MAX_BACKOFF
        _settle(rt, entries, _failed(entries, error), now, counts, retry_at=counts.paused_until)
        return
    except (RateLimited, Transient) as error:
        results = _failed(entries, error)
    except Permanent as error:
        if len(entries) > 1:
            # One bad record must not sink the batch: send each alone to find it.
            for entry in entries:
                _send(rt, kind, [entry], now, counts)
            return
        results = [WriteResult(entries[0].key, ok=False, error=str(error), permanent=True)]
    except CrmError as error:
        _settle(rt, entries, _failed(entries, error), now, counts, retry_at=now)
        raise
    _settle(rt, entries, results, now, counts)


def _failed(entries: list[Entry], error: CrmError) -> list[WriteResult]:
    return [WriteResult(entry.key, ok=False, error=str(error)) for entry in entries]


def _send_fields(rt: Runtime, entries: list[Entry]) -> list[WriteResult]:
    updates = []
    for entry in entries:
        write = entry.payload
        assert isinstance(write, FieldWrite)
        updates.append(FieldUpdate(entry.contact_id, write.fields, write.current, write.stage_before))
    by_contact = {result.key: result for result in rt.connector.write_fields(updates)}
    return [_rekey(by_contact.get(entry.contact_id), entry) for entry in entries]


def _send_tasks(rt: Runtime, entries: list[Entry]) -> list[WriteResult]:
    retried = [entry.key for entry in entries if entry.attempts > 1]
    existing = rt.connector.existing_task_keys(retried) if retried else set()
    requests = []
    for entry in entries:
        task = entry.payload
        assert isinstance(task, TaskWrite)
        if entry.key not in existing:
            requests.append(
                TaskRequest(
                    entry.key,
                    entry.contact_id,
                    task.owner_id,
                    task.subject,
                    task.body,
                    task.due_at,
                    task.priority,
                )
            )
    created = {result.key: result for result in rt.connector.create_tasks(requests)} if requests else {}
    return [
        WriteResult(entry.key, ok=True) if entry.key in existing else _rekey(created.get(entry.key), entry)
        for entry in entries
    ]


def _send_task_closes(rt: Runtime, entries: list[Entry]) -> list[WriteResult]:
    """Complete the tasks of every entry in one call; an entry is sent when all its tasks are."""
    keys: list[str] = []
    for entry in entries:
        close = entry.payload
        assert isinstance(close, TaskClose)
        keys += close.keys
    answered = {result.key: result for result in rt.connector.complete_tasks(keys)}
    results = []
    for entry in entries:
        assert isinstance(entry.payload, TaskClose)
        failed = [answered.get(key) or _rekey(None, entry) for key in entry.payload.keys]
        failed = [result for result in failed if not result.ok]
        if failed:
            results.append(WriteResult(entry.key, False, failed[0].error, all(r.permanent for r in failed)))
        else:
            results.append(WriteResult(entry.key, ok=True))
    return results


def _send_chat(rt: Runtime, entries: list[Entry]) -> list[WriteResult]:
    channels = {channel.name: channel for channel in rt.channels}
    results = []
    for entry in entries:
        message = entry.payload
        assert isinstance(message, ChatWrite)
        channel = channels.get(message.channel)
        if channel is None:
            results.append(
                WriteResult(entry.key, ok=False, error="channel no longer configured", permanent=True)
            )
            continue
        try:
            channel.post(message.text)
        except (Transient, Permanent) as error:
            results.append(
                WriteResult(entry.key, ok=False, error=str(error), permanent=isinstance(error, Permanent))
            )
        else:
            results.append(WriteResult(entry.key, ok=True))
    return results


_SENDERS: dict[OutboxKind, Callable[[Runtime, list[Entry]], list[WriteResult]]] = {
    OutboxKind.FIELDS: _send_fields,
    OutboxKind.TASK: _send_tasks,
    OutboxKind.CHAT: _send_chat,
    OutboxKind.TASK_CLOSE: _send_task_closes,
}


def _rekey(result: WriteResult | None, entry: Entry) -> WriteResult:
    if result is None:
        return WriteResult(entry.key, ok=False, error="the CRM returned no result for this record")
    return WriteResult(entry.key, result.ok, result.error, result.permanent)


def _settle(
    rt: Runtime,
    entries: Sequence[Entry],
    results: Sequence[WriteResult],
    now: datetime,
    counts: FlushCounts,
    *,
    retry_at: datetime | None = None,
) -> None:
    """Record each answer: sent, retry later, or dead and quarantined. One transaction per batch."""
    outcome = {result.key: result for result in results}
    limit = rt.settings.write_attempts
    settlements: list[Settlement] = []
    dead: list[Problem] = []
    confirmed: dict[str, FieldValues] = {}
    for entry in entries:
        result = outcome[entry.key]
        if result.ok:
            settlements.append(Settlement(entry, OutboxStatus.SENT, entry.attempts, now, None, ok=True))
            counts.sent += 1
            rt.metrics.written.labels(entry.kind.value).inc()
            if isinstance(entry.payload, FieldWrite):
                confirmed[entry.contact_id] = entry.payload.fields
        elif result.permanent or (retry_at is None and entry.attempts >= limit):
            settlements.append(
                Settlement(entry, OutboxStatus.DEAD, entry.attempts, now, result.error, ok=False)
            )
            dead.append(
                Problem(
                    f"writes:{entry.kind.value}",
                    entry.contact_id,
                    result.error or "",
                    entry.payload.to_dict(),
                )
            )
            counts.dead += 1
            rt.metrics.write_errors.labels(entry.kind.value).inc()
        else:
            backoff = min(timedelta(seconds=30 * 2 ** (entry.attempts - 1)), MAX_BACKOFF)
            # A paused budget is nobody's fault: that attempt does not count against the entry.
            attempts = entry.attempts - 1 if retry_at is not None else entry.attempts
            settlements.append(
                Settlement(
                    entry, OutboxStatus.PENDING, attempts, retry_at or now + backoff, result.error, ok=False
                )
            )
            counts.failed += 1
            rt.metrics.write_errors.labels(entry.kind.value).inc()
    with rt.store.begin() as tx:
        tx.outbox.settle(settlements, now)
        tx.quarantine.add(dead, now)
        tx.mirror.confirm_written(confirmed)


def _observe_depth(rt: Runtime) -> None:
    with rt.store.begin() as tx:
        depth = tx.outbox.depth()
    for status in (OutboxStatus.PENDING, OutboxStatus.DEAD):
        rt.metrics.outbox_depth.labels(status.value).set(depth.get(status, 0))
