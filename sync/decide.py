"""The one decide path: every job that decides leads comes through `decide_batch`.

The cycle and the SLA tick decide the mirror's due contacts, the webhook its targeted ones, the
backfill each page it pulls; a dry run decides a page's preview (what the mirror would hold after
it) and keeps the outcome in memory. All of them read their leads from the store the same way,
take the accounts from the whole mirror, thread the routing state from lead to lead and call the
same pure `decide_leads`; only the real ones save, in one transaction per batch: the decisions and
what they leave behind, the outbox rows, the contacts' next look, and the routing state.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from handoff.config.vocabulary import Stage
from handoff.lifecycle.decide import decide_leads
from handoff.lifecycle.decision import Decision
from handoff.lifecycle.notices import Notice
from handoff.lifecycle.records import Owner
from handoff.lifecycle.roster import RoutingContext
from handoff.lifecycle.routing import ROUTED_STAGES
from handoff.store.decisions import Decided
from handoff.store.leads import StoredLead
from handoff.store.outbox import ChatWrite, FieldWrite, OpenTask, TaskWrite
from handoff.store.outbox import Notice as NoticeWrite
from handoff.store.quarantine import Problem
from handoff.store.unit_of_work import Tx
from handoff.sync.chat import ChatChannel
from handoff.sync.pull import Ingested
from handoff.sync.runtime import Runtime

TASK_SUBJECT_LIMIT = 250
EVALUATE_STREAM = "evaluate"


@dataclass
class DecideCounts:
    evaluated: int = 0
    moved: int = 0
    queued: int = 0
    notices: int = 0

    def add(self, other: DecideCounts) -> None:
        self.evaluated += other.evaluated
        self.moved += other.moved
        self.queued += other.queued
        self.notices += other.notices


@dataclass(frozen=True)
class Batch:
    """A batch decided: each stored lead with its decision, the routing context after it, and the
    leads the engine failed on (each with why), which are quarantined instead."""

    leads: list[StoredLead]
    decisions: list[Decision]
    context: RoutingContext
    refused: list[Problem] = field(default_factory=list)

    @property
    def decided(self) -> list[Decided]:
        return [
            Decided(d, sl.seq, sl.digest, sl.lead.memory)
            for sl, d in zip(self.leads, self.decisions, strict=True)
        ]


def routing_context(rt: Runtime, owners: Sequence[Owner] | None = None) -> RoutingContext:
    """The owners (as the store holds them, unless given), the routing state and the go-live, for
    a run's first batch. Given owners mean a dry run: a go-live not kept yet is not kept then."""
    with rt.store.begin() as tx:
        since = rt.settings.go_live_at or tx.cursors.watching_since(rt.clock(), record=owners is None)
        return RoutingContext.of(
            tx.owners.all() if owners is None else owners, tx.owners.routing_state(), watching_since=since
        )


def decide_batch(
    tx: Tx, leads: list[StoredLead], context: RoutingContext, rt: Runtime, now: datetime
) -> Batch:
    """Decide these leads as the mirror stands, with the leads' own accounts merged in the way the
    mirror merges them (a dry run's leads are not in the mirror yet)."""
    domains = sorted({d for sl in leads if (d := sl.lead.contact.company_domain)})
    accounts = tx.mirror.account_owners(domains)
    for sl in leads:
        if sl.account and sl.account_owner_id:
            accounts[sl.account] = min(accounts.get(sl.account, sl.account_owner_id), sl.account_owner_id)
    try:
        decisions, after = decide_leads([sl.lead for sl in leads], rt.policy, now, context, accounts)
    except Exception:  # one lead the engine fails on must not stop the others: find it
        return _decide_each(leads, context, accounts, rt, now)
    return Batch(leads, decisions, after)


def _decide_each(
    leads: list[StoredLead], context: RoutingContext, accounts: dict[str, str], rt: Runtime, now: datetime
) -> Batch:
    decided: list[StoredLead] = []
    decisions: list[Decision] = []
    refused: list[Problem] = []
    for sl in leads:
        try:
            (decision,), context = decide_leads([sl.lead], rt.policy, now, context, accounts)
        except Exception as error:
            refused.append(Problem(EVALUATE_STREAM, sl.id, engine_failure(error), {}))
            continue
        decided.append(sl)
        decisions.append(decision)
    return Batch(decided, decisions, context, refused)


def engine_failure(error: BaseException) -> str:
    """Where the engine failed and on what kind of error: never the message, which may quote the
    lead's values."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if "/lifecycle/" in frame.filename or "/config/" in frame.filename]
    where = ours[-1] if ours else (frames[-1] if frames else None)
    place = (
        f" in {Path(where.filename).parent.name}/{Path(where.filename).name}:{where.lineno} ({where.name})"
        if where
        else ""
    )
    return f"the lead could not be evaluated: {type(error).__name__}{place}"


def save_batch(tx: Tx, batch: Batch, rt: Runtime, now: datetime) -> None:
    """Save a batch: decisions, moves and clock transitions, outbox rows, next looks, routing state;
    leads the engine failed on are quarantined and looked at again when they next change."""
    if batch.refused:
        tx.quarantine.add(batch.refused, now)
        tx.mirror.set_aside([problem.record_id for problem in batch.refused])
        rt.metrics.quarantined.inc(len(batch.refused))
    tx.quarantine.release(EVALUATE_STREAM, [d.contact_id for d in batch.decisions])
    latest = dict(tx.decisions.save(batch.decided, rt.policy_version, now))
    tx.outbox.replace_field_writes(
        {sl.id: field_write(sl, d) for sl, d in zip(batch.leads, batch.decisions, strict=True)}, now
    )
    opened = tx.outbox.open_tasks([d.contact_id for d in batch.decisions])
    tx.outbox.close_tasks(
        [c for d in batch.decisions for c in tasks_done(opened.get(d.contact_id, ()), d)], now
    )
    tx.outbox.add_notices(
        [w for d in batch.decisions for n in d.notices for w in notice_writes(n, d.stage, rt.channels)], now
    )
    tx.mirror.mark_decided([(d.contact_id, latest[d.contact_id], d.next_check_at) for d in batch.decisions])
    tx.owners.save_routing_state(batch.context.state, now)


def field_write(lead: StoredLead, decision: Decision) -> FieldWrite | None:
    changes = decision.changes or {}
    if not changes:
        return None
    stage = lead.lead.contact.stage
    return FieldWrite(
        fields=dict(changes),
        current={field: lead.lead.crm.get(field) for field in changes},
        stage_before=stage.value if stage else None,
    )


def tasks_done(opened: Sequence[OpenTask], decision: Decision) -> list[tuple[OpenTask, str]]:
    """The lead's open tasks this decision relieves their reps of, each with why: a rep holds
    tasks only for leads they own, at the stage the task was about, and one per lead at most
    (a newer one replaces it)."""
    told = {notice.owner_id for notice in decision.notices}
    again = {notice.key for notice in decision.notices}  # decided before: the same task, kept
    done = []
    for task in opened:
        if task.key in again:
            continue
        if task.owner_id != decision.owner_id:
            done.append((task, "the lead went to another owner"))
        elif decision.stage not in ROUTED_STAGES:
            done.append((task, f"the lead is {decision.stage.value} now"))
        elif task.stage is not None and task.stage != decision.stage.value:
            done.append((task, f"the lead moved on to {decision.stage.value}"))
        elif task.owner_id in told and task.sent:
            # A task not sent yet (a crash came between) still goes out: the rep is told they
            # have the lead before any reminder about it.
            done.append((task, "a newer task replaces it"))
    return done


def notice_writes(notice: Notice, stage: Stage, channels: Sequence[ChatChannel]) -> list[NoticeWrite]:
    """A notice as a CRM task for the rep, and a message per chat channel."""
    subject = notice.subject[:TASK_SUBJECT_LIMIT]
    task = TaskWrite(notice.owner_id, subject, notice.body, notice.due_at, stage=stage.value)
    chats = [
        NoticeWrite(
            f"{channel.name}:{notice.key}",
            notice.contact_id,
            ChatWrite(channel.name, f"{notice.subject}\n{notice.body}"),
        )
        for channel in channels
    ]
    return [NoticeWrite(notice.key, notice.contact_id, task), *chats]


def decide_ingested(
    rt: Runtime, ingested: Ingested, context: RoutingContext, now: datetime
) -> tuple[DecideCounts, RoutingContext]:
    """Decide a page's dirty contacts right after it went into the mirror, from the page itself:
    the leads are exactly what `Leads.load` would read back (`Leads.preview`), without reading
    two million activity rows back in a first cycle. The accounts are the mirror's as it stands
    after this page (pages after it are not in yet)."""
    counts = DecideCounts()
    dirty = set(ingested.dirty)
    records = sorted((r for r in ingested.fresh if r.contact.id in dirty), key=lambda r: r.contact.id)
    size = rt.settings.evaluate_batch
    for start in range(0, len(records), size):
        chunk = records[start : start + size]
        with rt.store.begin() as tx:
            leads = tx.leads.preview(chunk, ingested.activities, now, rt.retention, new=ingested.new)
            batch = decide_batch(tx, leads, context, rt, now)
        with rt.store.begin() as tx:
            save_batch(tx, batch, rt, now)
        context = batch.context
        _count(rt, counts, batch)
    rt.metrics.evaluated.inc(counts.evaluated)
    return counts, context


def decide_due(
    rt: Runtime, now: datetime, *, ids: Sequence[str] | None = None, stop: threading.Event | None = None
) -> DecideCounts:
    """Decide every dirty or due contact (or just `ids`), in batches, each saved in one transaction."""
    counts = DecideCounts()
    context = routing_context(rt)
    size = rt.settings.evaluate_batch
    after, offset = "", 0
    while stop is None or not stop.is_set():
        rt.store.refresh_statistics()
        with rt.store.begin() as tx:
            if ids is None:
                chosen = tx.mirror.due(now, after, size)
            else:
                chosen, offset = list(ids[offset : offset + size]), offset + size
            leads = tx.leads.load(chosen, now, rt.retention)
            if not chosen:
                break
            batch = decide_batch(tx, leads, context, rt, now)
        with rt.store.begin() as tx:
            save_batch(tx, batch, rt, now)
        context = batch.context
        after = chosen[-1]
        _count(rt, counts, batch)
        if ids is not None and offset >= len(ids):
            break
    rt.metrics.evaluated.inc(counts.evaluated)
    return counts


def _count(rt: Runtime, counts: DecideCounts, batch: Batch) -> None:
    decided = batch.decided
    counts.evaluated += len(decided)
    counts.moved += sum(1 for d in decided if d.new_stage)
    counts.queued += sum(1 for d in batch.decisions if d.changes)
    counts.notices += sum(len(d.notices) for d in batch.decisions)
    rt.metrics.sla_breaches.inc(sum(1 for d in batch.decisions for n in d.notices if n.breach))
