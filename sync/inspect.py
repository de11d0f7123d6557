"""What `handoff status` and `handoff explain` show, read from the store as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from handoff.connectors.errors import CrmError
from handoff.connectors.protocol import Budget
from handoff.store.db import transaction
from handoff.store.models import (
    CONTACT,
    CURSOR,
    DECISION,
    LEDGER,
    OUTBOX,
    OWNER,
    QUARANTINE,
    SLA_CLOCK,
    STAGE_HISTORY,
    SYNC_RUN,
)
from handoff.sync.runtime import Runtime


@dataclass
class Status:
    crm: str
    runs: list[dict[str, Any]]
    cursors: list[dict[str, Any]]
    outbox: dict[str, int]
    quarantine_count: int
    quarantine: list[dict[str, Any]]
    contacts: int
    budget: Budget | None
    budget_error: str | None = None


@dataclass
class Explanation:
    contact: dict[str, Any]
    decision: dict[str, Any] | None
    history: list[dict[str, Any]] = field(default_factory=list)
    clocks: list[dict[str, Any]] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)


def status(rt: Runtime, *, runs: int = 10, live_budget: bool = True) -> Status:
    with transaction(rt.engine) as connection:
        r = SYNC_RUN.c
        recent = connection.execute(select(SYNC_RUN).where(r.crm == rt.crm).order_by(r.id.desc()).limit(runs))
        cursors = connection.execute(select(CURSOR).where(CURSOR.c.crm == rt.crm).order_by(CURSOR.c.stream))
        o = OUTBOX.c
        depth = connection.execute(
            select(o.status, func.count()).where(o.crm == rt.crm).group_by(o.status)
        ).all()
        q = QUARANTINE.c
        quarantined = connection.execute(select(func.count()).where(q.crm == rt.crm)).scalar_one()
        latest = connection.execute(
            select(QUARANTINE).where(q.crm == rt.crm).order_by(q.last_seen.desc()).limit(10)
        )
        contacts = connection.execute(select(func.count()).where(CONTACT.c.crm == rt.crm)).scalar_one()
        result = Status(
            crm=rt.crm,
            runs=[dict(row._mapping) for row in recent],
            cursors=[dict(row._mapping) for row in cursors],
            outbox=dict(depth),
            quarantine_count=quarantined,
            quarantine=[dict(row._mapping) for row in latest],
            contacts=contacts,
            budget=None,
        )
    if live_budget:
        try:
            result.budget = rt.connector.budget()
        except CrmError as error:
            result.budget_error = str(error)
    return result


def explain(rt: Runtime, key: str) -> Explanation | None:
    """Everything about one contact, found by CRM id or email."""
    c = CONTACT.c
    with transaction(rt.engine) as connection:
        row = connection.execute(
            select(CONTACT)
            .where(c.crm == rt.crm, or_(c.id == key, func.lower(c.email) == key.lower()))
            .limit(1)
        ).first()
        if row is None:
            return None
        contact = dict(row._mapping)
        contact_id = contact["id"]
        decision = connection.execute(
            select(DECISION).where(DECISION.c.crm == rt.crm, DECISION.c.contact_id == contact_id)
        ).first()
        h = STAGE_HISTORY.c
        history = connection.execute(
            select(STAGE_HISTORY).where(h.crm == rt.crm, h.contact_id == contact_id).order_by(h.at, h.id)
        )
        clocks = connection.execute(
            select(SLA_CLOCK).where(SLA_CLOCK.c.crm == rt.crm, SLA_CLOCK.c.contact_id == contact_id)
        )
        o = OUTBOX.c
        pending = connection.execute(
            select(OUTBOX)
            .where(o.crm == rt.crm, o.contact_id == contact_id, o.status.in_(("pending", "inflight", "dead")))
            .order_by(o.id)
        )
        ledger = LEDGER.c
        failures = connection.execute(
            select(LEDGER)
            .where(ledger.crm == rt.crm, ledger.contact_id == contact_id, ledger.ok.is_(False))
            .order_by(ledger.id.desc())
            .limit(5)
        )
        q = QUARANTINE.c
        quarantined = connection.execute(select(QUARANTINE).where(q.crm == rt.crm, q.record_id == contact_id))
        owners = dict(connection.execute(select(OWNER.c.id, OWNER.c.name).where(OWNER.c.crm == rt.crm)).all())
        return Explanation(
            contact=contact,
            decision=dict(decision._mapping) if decision else None,
            history=[dict(r._mapping) for r in history],
            clocks=[dict(r._mapping) for r in clocks],
            pending=[dict(r._mapping) for r in pending],
            errors=[dict(r._mapping) for r in quarantined] + [dict(r._mapping) for r in failures],
            owners=owners,
        )


def age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 172_800:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"
