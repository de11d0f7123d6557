"""Retention: history older than `HANDOFF_HISTORY_DAYS` is dropped (nightly, after the reconcile).

What the present needs is never dropped: each contact's latest version and latest decision, and
the latest version of each deal of each contact, stay whatever their age, and so do outbox
entries still waiting to be sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, delete, exists, select

from handoff.store.schema import (
    ACTIVITY,
    CLOCK_EVENT,
    CONTACT,
    CONTACT_VERSION,
    DEAL_VERSION,
    DECISION,
    LEDGER,
    OUTBOX,
    STAGE_HISTORY,
    SYNC_RUN,
)


def prune(connection: Connection, crm: str, before: datetime) -> dict[str, int]:
    """Drop history older than `before`; return how many rows left each table."""
    c = CONTACT.c
    v, d = CONTACT_VERSION.c, DECISION.c
    latest_version = exists(select(c.id).where(c.crm == v.crm, c.id == v.contact_id, c.version == v.version))
    latest_decision = exists(
        select(c.id).where(c.crm == d.crm, c.id == d.contact_id, c.decision_seq == d.seq)
    )
    dv = DEAL_VERSION.c
    newer = DEAL_VERSION.alias("newer")
    superseded = exists(
        select(newer.c.version).where(
            newer.c.crm == dv.crm,
            newer.c.deal_id == dv.deal_id,
            newer.c.contact_id == dv.contact_id,
            newer.c.version > dv.version,
        )
    )
    statements = {
        "activity": delete(ACTIVITY).where(ACTIVITY.c.crm == crm, ACTIVITY.c.occurred_at < before),
        "contact_version": delete(CONTACT_VERSION).where(v.crm == crm, v.seen_at < before, ~latest_version),
        "deal_version": delete(DEAL_VERSION).where(dv.crm == crm, dv.seen_at < before, superseded),
        "decision": delete(DECISION).where(d.crm == crm, d.at < before, ~latest_decision),
        "clock_event": delete(CLOCK_EVENT).where(CLOCK_EVENT.c.crm == crm, CLOCK_EVENT.c.at < before),
        "stage_history": delete(STAGE_HISTORY).where(STAGE_HISTORY.c.crm == crm, STAGE_HISTORY.c.at < before),
        "write_ledger": delete(LEDGER).where(LEDGER.c.crm == crm, LEDGER.c.written_at < before),
        "outbox": delete(OUTBOX).where(
            and_(OUTBOX.c.crm == crm, OUTBOX.c.updated_at < before, OUTBOX.c.status.in_(("sent", "dead")))
        ),
        "sync_run": delete(SYNC_RUN).where(SYNC_RUN.c.crm == crm, SYNC_RUN.c.started_at < before),
    }
    return {table: connection.execute(statement).rowcount for table, statement in statements.items()}
