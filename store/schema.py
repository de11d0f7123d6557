"""The tables. Only the store's modules use them: callers get typed records, never rows.

Every row carries its CRM, so one database can serve a HubSpot and a Salesforce deployment side
by side; every instant is UTC-aware (`UTCDateTime`).

Three kinds of table:
- the mirror of the CRM as last pulled (`contact`, `activity`), with the pointers to each
  contact's latest version and latest decision;
- history, append-only and replayable: what handoff saw of each contact over time
  (`contact_version`), when each activity arrived (`activity.first_seen_at`), what became of
  the deals associated with each contact (`deal_version`), every distinct
  decision (`decision`), every stage move (`stage_history`) and every SLA clock transition
  (`clock_event`);
- the write path and bookkeeping: `outbox`, `write_ledger`, `quarantine`, `cursor`, `owner`,
  `routing_state`, `sync_run`.
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
    """The mirror of one CRM contact: the CRM's values of handoff's outputs, and pointers to the
    contact's latest version (`version`) and latest decision (`decision_seq`, 0 for none yet)."""

    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_dirty", "crm", "dirty"),
        Index("ix_contact_review_at", "crm", "review_at"),
        Index("ix_contact_account", "crm", "account_domain"),
    )

    crm: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    email: str | None = None
    account_domain: str | None = None
    account_owner_id: str | None = None
    version: int
    crm_values: dict[str, Any] = _json()
    input_hash: str
    record_hash: str
    remote_modified_at: datetime = _utc()
    pulled_at: datetime = _utc()
    dirty: bool = True
    review_at: datetime | None = _utc(nullable=True)
    decision_seq: int = 0


class ContactVersionRow(SQLModel, table=True):
    """What handoff saw of a contact from `seen_at` on: the canonical record the engine reads.

    Appended when what the engine reads changes; `source` is `pull`, or `crm_history` for the
    versions rebuilt from the CRM's property history of the time before handoff was watching."""

    __tablename__ = "contact_version"
    # Read by its key (a contact's versions, the latest up to an instant); no other index to write.

    crm: str = Field(primary_key=True)
    contact_id: str = Field(primary_key=True)
    version: int = Field(primary_key=True)
    seen_at: datetime = _utc()
    source: str
    data: dict[str, Any] = _json()


class ActivityRow(SQLModel, table=True):
    """One activity of one contact (an engagement shared by two contacts is a row for each), with
    the time handoff first saw it: a replay at T uses only what had arrived by T."""

    __tablename__ = "activity"
    # No index on occurred_at: the planners preferred it to the primary key for a batch's
    # activities (a range over nearly all rows), and only the nightly prune filters on it.

    crm: str = Field(primary_key=True)
    contact_id: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    kind: str
    occurred_at: datetime = _utc()
    owner_id: str | None = None
    attributes: dict[str, Any] = _json()
    first_seen_at: datetime = _utc()


class DealVersionRow(SQLModel, table=True):
    """What handoff saw of a deal associated with a contact, from `seen_at` on (the runtime's
    clock when it first saw that version). Appended when the deal or its association changed;
    `linked` false says the deal is no longer associated with the contact from then on."""

    __tablename__ = "deal_version"
    __table_args__ = (Index("ix_deal_version_contact", "crm", "contact_id", "seen_at"),)

    crm: str = Field(primary_key=True)
    deal_id: str = Field(primary_key=True)
    contact_id: str = Field(primary_key=True)
    version: int = Field(primary_key=True)
    seen_at: datetime = _utc()
    modified_at: datetime = _utc()
    linked: bool = True
    stage: str | None = None
    closed: bool = False
    won: bool = False
    amount: float | None = None
    created_at: datetime | None = _utc(nullable=True)
    close_date: datetime | None = _utc(nullable=True)


class DecisionRow(SQLModel, table=True):
    """Every distinct decision about a contact, numbered per contact (`seq`); the contact row
    points at the latest. An evaluation that decides exactly what the last one did adds nothing."""

    __tablename__ = "decision"
    __table_args__ = (Index("ix_decision_at", "crm", "at"),)

    crm: str = Field(primary_key=True)
    contact_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    at: datetime = _utc()
    policy_version: str
    stage: str
    previous_stage: str | None = None
    fit: int
    behavior: int
    score: int
    high_intent: bool
    owner_id: str | None = None
    summary: str
    reasons: list[Any] = _json()
    problems: list[str] = _json()
    routing: dict[str, Any] | None = _json(nullable=True)
    clocks: list[Any] = _json()
    memory: dict[str, Any] = _json()
    desired: dict[str, Any] = _json()
    next_check_at: datetime | None = _utc(nullable=True)
    digest: str


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


class ClockEventRow(SQLModel, table=True):
    """An SLA clock's transition: started, due_soon, breached, met, or stopped (the clock no
    longer runs: the lead was disqualified, or a new episode began)."""

    __tablename__ = "clock_event"
    __table_args__ = (
        Index("ix_clock_event_contact", "crm", "contact_id", "at"),
        Index("ix_clock_event_at", "crm", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    crm: str
    contact_id: str
    at: datetime = _utc()
    clock: str
    status: str
    owner_id: str | None = None
    started_at: datetime | None = _utc(nullable=True)
    due_at: datetime | None = _utc(nullable=True)
    met_at: datetime | None = _utc(nullable=True)
    met_by: str | None = None


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


class RoutingStateRow(SQLModel, table=True):
    __tablename__ = "routing_state"

    crm: str = Field(primary_key=True)
    state: dict[str, Any] = _json()
    updated_at: datetime = _utc()


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
    """One run of a job; `process` (host:pid) tells a run of a dead process from a live one."""

    __tablename__ = "sync_run"
    __table_args__ = (Index("ix_sync_run_started", "crm", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    crm: str
    kind: str
    started_at: datetime = _utc()
    finished_at: datetime | None = _utc(nullable=True)
    status: str = "running"
    process: str | None = None
    pulled: int = 0
    evaluated: int = 0
    written: int = 0
    write_errors: int = 0
    quarantined: int = 0
    error: str | None = None


def table_of(model: type[SQLModel]) -> Table:
    table: Table = getattr(model, "__table__")  # noqa: B009 - SQLModel sets it at class creation
    return table


# Core tables, for the bulk statements of the store's modules (the ORM is too slow per row here).
CONTACT = table_of(ContactRow)
CONTACT_VERSION = table_of(ContactVersionRow)
ACTIVITY = table_of(ActivityRow)
DECISION = table_of(DecisionRow)
DEAL_VERSION = table_of(DealVersionRow)
STAGE_HISTORY = table_of(StageHistoryRow)
CLOCK_EVENT = table_of(ClockEventRow)
OWNER = table_of(OwnerRow)
ROUTING_STATE = table_of(RoutingStateRow)
CURSOR = table_of(CursorRow)
OUTBOX = table_of(OutboxRow)
LEDGER = table_of(LedgerRow)
QUARANTINE = table_of(QuarantineRow)
SYNC_RUN = table_of(SyncRunRow)
