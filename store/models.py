"""The tables. Every row carries its CRM, so one database can serve a HubSpot and a Salesforce
deployment side by side; every instant is UTC-aware (`UTCDateTime`).

Activities are kept per contact as one JSON array: evaluation always needs all of a contact's
recent activities together, and one row per contact keeps a 100,000-contact cycle at 100,000 row
writes instead of two million.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from handoff.store.types import UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(*, nullable: bool = False) -> Any:
    return Field(sa_column=Column(JSON, nullable=nullable))


class ContactRow(SQLModel, table=True):
    """The mirror of one CRM contact: inputs, the CRM's current values of our outputs, activities."""

    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_dirty", "crm", "dirty"),
        Index("ix_contact_review_at", "crm", "review_at"),
    )

    crm: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    email: str | None = None
    data: dict[str, Any] = _json()
    written: dict[str, Any] = _json()
    activities: list[dict[str, Any]] = _json()
    account_owner_id: str | None = None
    input_hash: str
    record_hash: str
    remote_modified_at: datetime = _utc()
    pulled_at: datetime = _utc()
    dirty: bool = True
    review_at: datetime | None = _utc(nullable=True)


class OwnerRow(SQLModel, table=True):
    __tablename__ = "owner"

    crm: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    email: str | None = None
    name: str
    active: bool
    is_queue: bool
    teams: list[str] = _json()
    updated_at: datetime = _utc()


class DecisionRow(SQLModel, table=True):
    """The latest decision per contact, with the values handoff wants the CRM to hold."""

    __tablename__ = "decision"

    crm: str = Field(primary_key=True)
    contact_id: str = Field(primary_key=True)
    evaluated_at: datetime = _utc()
    policy_version: str
    stage: str
    previous_stage: str | None = None
    fit: int
    behavior: int
    score: int
    high_intent: bool
    owner_id: str | None = None
    owner_assigned_at: datetime | None = _utc(nullable=True)
    escalated_from: list[str] = _json()
    accepted_at: datetime | None = _utc(nullable=True)
    stage_entered: dict[str, str] = _json()
    next_check_at: datetime | None = _utc(nullable=True)
    summary: str
    reasons: list[dict[str, Any]] = _json()
    problems: list[str] = _json()
    routing: dict[str, Any] | None = _json(nullable=True)
    desired: dict[str, Any] = _json()


class StageHistoryRow(SQLModel, table=True):
    """The audit trail: who or what moved a lead, when, and why."""

    __tablename__ = "stage_history"
    __table_args__ = (Index("ix_stage_history_contact", "crm", "contact_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    crm: str
    contact_id: str
    at: datetime = _utc()
    from_stage: str | None = None
    to_stage: str
    actor: str
    rule: str
    signal: str | None = None
    detail: str


class RoutingStateRow(SQLModel, table=True):
    __tablename__ = "routing_state"

    crm: str = Field(primary_key=True)
    state: dict[str, Any] = _json()
    updated_at: datetime = _utc()


class SlaClockRow(SQLModel, table=True):
    __tablename__ = "sla_clock"
    __table_args__ = (Index("ix_sla_clock_status", "crm", "status", "due_at"),)

    crm: str = Field(primary_key=True)
    contact_id: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    owner_id: str | None = None
    started_at: datetime = _utc()
    due_at: datetime = _utc()
    status: str
    met_at: datetime | None = _utc(nullable=True)
    met_by: str | None = None


class CursorRow(SQLModel, table=True):
    """How far a stream has been read; `window_*` and `resume` let a killed pull continue its window."""

    __tablename__ = "cursor"

    crm: str = Field(primary_key=True)
    stream: str = Field(primary_key=True)
    value: datetime | None = _utc(nullable=True)
    window_start: datetime | None = _utc(nullable=True)
    window_end: datetime | None = _utc(nullable=True)
    resume: str | None = None
    updated_at: datetime = _utc()


class OutboxRow(SQLModel, table=True):
    """A write decided but not yet confirmed by the CRM. Written with its decision, in one transaction."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("crm", "dedupe_key"),
        Index("ix_outbox_due", "crm", "status", "next_attempt_at"),
        Index("ix_outbox_contact", "crm", "contact_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    crm: str
    contact_id: str
    kind: str
    dedupe_key: str
    payload: dict[str, Any] = _json()
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime = _utc()
    last_error: str | None = None
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class LedgerRow(SQLModel, table=True):
    """What handoff wrote to the CRM and what the CRM answered, one row per record per attempt."""

    __tablename__ = "write_ledger"
    __table_args__ = (Index("ix_write_ledger_contact", "crm", "contact_id", "written_at"),)

    id: int | None = Field(default=None, primary_key=True)
    crm: str
    contact_id: str
    outbox_id: int
    kind: str
    payload: dict[str, Any] = _json()
    ok: bool
    error: str | None = None
    written_at: datetime = _utc()


class QuarantineRow(SQLModel, table=True):
    """A record that cannot be read or written; kept with the CRM's error until someone resolves it."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("crm", "stream", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    crm: str
    stream: str
    record_id: str
    error: str
    raw: dict[str, Any] = _json()
    first_seen: datetime = _utc()
    last_seen: datetime = _utc()
    count: int = 1


class SyncRunRow(SQLModel, table=True):
    __tablename__ = "sync_run"
    __table_args__ = (Index("ix_sync_run_started", "crm", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    crm: str
    kind: str
    started_at: datetime = _utc()
    finished_at: datetime | None = _utc(nullable=True)
    status: str = "running"
    pulled: int = 0
    evaluated: int = 0
    written: int = 0
    write_errors: int = 0
    quarantined: int = 0
    error: str | None = None


def table_of(model: type[SQLModel]) -> Table:
    table: Table = getattr(model, "__table__")  # noqa: B009 - SQLModel sets it at class creation
    return table


# Core tables, for the bulk statements the pipeline runs (the ORM is too slow per row at this size).
CONTACT = table_of(ContactRow)
OWNER = table_of(OwnerRow)
DECISION = table_of(DecisionRow)
STAGE_HISTORY = table_of(StageHistoryRow)
ROUTING_STATE = table_of(RoutingStateRow)
SLA_CLOCK = table_of(SlaClockRow)
CURSOR = table_of(CursorRow)
OUTBOX = table_of(OutboxRow)
LEDGER = table_of(LedgerRow)
QUARANTINE = table_of(QuarantineRow)
SYNC_RUN = table_of(SyncRunRow)
