"""history: contact versions, activities as rows, a decision log, clock transitions, run processes

Each contact's snapshot becomes its first version, its activities' JSON array becomes rows, its one
decision becomes the first of its log (the SLA clocks move into it and into its memory), and runs
learn which process ran them. The data is carried over; the downgrade carries the latest of it back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 18:30:00
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import handoff.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000
UTC = handoff.store.types.UTCDateTime(timezone=True)
TEXT = sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    _create_history_tables()
    bind = op.get_bind()
    old_contact = sa.table(
        "contact",
        sa.column("crm", TEXT),
        sa.column("id", TEXT),
        sa.column("data", sa.JSON()),
        sa.column("activities", sa.JSON()),
        sa.column("written", sa.JSON()),
        sa.column("pulled_at", UTC),
    )
    versions, activities = _tables()
    crm_values: list[dict[str, Any]] = []
    for rows in _chunks(bind.execute(sa.select(old_contact))):
        version_rows, activity_rows = [], []
        for row in rows:
            version_rows.append(
                {
                    "crm": row.crm,
                    "contact_id": row.id,
                    "version": 1,
                    "seen_at": row.pulled_at,
                    "source": "pull",
                    "data": {k: v for k, v in row.data.items() if v not in (None, False, [], {})},
                }
            )
            for item in row.activities:
                activity_rows.append(
                    {
                        "crm": row.crm,
                        "contact_id": row.id,
                        "id": item["id"],
                        "kind": item["kind"],
                        "occurred_at": _instant(item["occurred_at"]),
                        "owner_id": item.get("owner_id"),
                        "attributes": item.get("attributes") or {},
                        "first_seen_at": row.pulled_at,
                    }
                )
            domain = (
                ((row.data.get("company") or {}).get("domain") or "").strip().lower().removeprefix("www.")
            )
            crm_values.append(
                {"b_crm": row.crm, "b_id": row.id, "b_values": row.written, "b_domain": domain or None}
            )
        if version_rows:
            bind.execute(versions.insert(), version_rows)
        if activity_rows:
            bind.execute(activities.insert(), activity_rows)
    with op.batch_alter_table("contact", schema=None) as batch:
        batch.add_column(sa.Column("account_domain", TEXT, nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("crm_values", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("decision_seq", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_contact_account", ["crm", "account_domain"], unique=False)
        batch.drop_column("data")
        batch.drop_column("activities")
        batch.drop_column("written")
    contact = sa.table(
        "contact",
        sa.column("crm", TEXT),
        sa.column("id", TEXT),
        sa.column("crm_values", sa.JSON()),
        sa.column("account_domain", TEXT),
        sa.column("decision_seq", sa.Integer()),
    )
    for start in range(0, len(crm_values), CHUNK):
        bind.execute(
            contact.update()
            .where(contact.c.crm == sa.bindparam("b_crm"), contact.c.id == sa.bindparam("b_id"))
            .values(crm_values=sa.bindparam("b_values"), account_domain=sa.bindparam("b_domain")),
            crm_values[start : start + CHUNK],
        )
    with op.batch_alter_table("contact", schema=None) as batch:
        batch.alter_column("version", server_default=None)
        batch.alter_column("crm_values", server_default=None)
        batch.alter_column("decision_seq", server_default=None)
    _move_decisions(bind, contact)
    with op.batch_alter_table("sync_run", schema=None) as batch:
        batch.add_column(sa.Column("process", TEXT, nullable=True))


def _create_history_tables() -> None:
    op.create_table(
        "activity",
        sa.Column("crm", TEXT, nullable=False),
        sa.Column("contact_id", TEXT, nullable=False),
        sa.Column("id", TEXT, nullable=False),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("occurred_at", UTC, nullable=False),
        sa.Column("owner_id", TEXT, nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("first_seen_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("crm", "contact_id", "id", name=op.f("pk_activity")),
    )
    op.create_table(
        "clock_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crm", TEXT, nullable=False),
        sa.Column("contact_id", TEXT, nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("clock", TEXT, nullable=False),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("owner_id", TEXT, nullable=True),
        sa.Column("started_at", UTC, nullable=True),
        sa.Column("due_at", UTC, nullable=True),
        sa.Column("met_at", UTC, nullable=True),
        sa.Column("met_by", TEXT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clock_event")),
    )
    with op.batch_alter_table("clock_event", schema=None) as batch:
        batch.create_index("ix_clock_event_at", ["crm", "at"], unique=False)
        batch.create_index("ix_clock_event_contact", ["crm", "contact_id", "at"], unique=False)
    op.create_table(
        "contact_version",
        sa.Column("crm", TEXT, nullable=False),
        sa.Column("contact_id", TEXT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seen_at", UTC, nullable=False),
        sa.Column("source", TEXT, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("crm", "contact_id", "version", name=op.f("pk_contact_version")),
    )


def _new_decision_table() -> None:
    op.create_table(
        "decision",
        sa.Column("crm", TEXT, nullable=False),
        sa.Column("contact_id", TEXT, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("policy_version", TEXT, nullable=False),
        sa.Column("stage", TEXT, nullable=False),
        sa.Column("previous_stage", TEXT, nullable=True),
        sa.Column("fit", sa.Integer(), nullable=False),
        sa.Column("behavior", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("high_intent", sa.Boolean(), nullable=False),
        sa.Column("owner_id", TEXT, nullable=True),
        sa.Column("summary", TEXT, nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("routing", sa.JSON(), nullable=True),
        sa.Column("clocks", sa.JSON(), nullable=False),
        sa.Column("memory", sa.JSON(), nullable=False),
        sa.Column("desired", sa.JSON(), nullable=False),
        sa.Column("next_check_at", UTC, nullable=True),
        sa.Column("digest", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("crm", "contact_id", "seq", name=op.f("pk_decision")),
    )
    with op.batch_alter_table("decision", schema=None) as batch:
        batch.create_index("ix_decision_at", ["crm", "at"], unique=False)


def _move_decisions(bind: sa.Connection, contact: sa.TableClause) -> None:
    """The one decision per contact becomes the first of its log, with the clocks inside it."""
    op.rename_table("decision", "decision_0002")
    if bind.dialect.name == "postgresql":  # constraint names are per schema there, not per table
        op.execute("ALTER TABLE decision_0002 RENAME CONSTRAINT pk_decision TO pk_decision_0002")
    _new_decision_table()
    old = sa.table(
        "decision_0002",
        *(
            sa.column(name, kind)
            for name, kind in [
                ("crm", TEXT),
                ("contact_id", TEXT),
                ("evaluated_at", UTC),
                ("policy_version", TEXT),
                ("stage", TEXT),
                ("previous_stage", TEXT),
                ("fit", sa.Integer()),
                ("behavior", sa.Integer()),
                ("score", sa.Integer()),
                ("high_intent", sa.Boolean()),
                ("owner_id", TEXT),
                ("owner_assigned_at", UTC),
                ("escalated_from", sa.JSON()),
                ("accepted_at", UTC),
                ("stage_entered", sa.JSON()),
                ("next_check_at", UTC),
                ("summary", TEXT),
                ("reasons", sa.JSON()),
                ("problems", sa.JSON()),
                ("routing", sa.JSON()),
                ("desired", sa.JSON()),
            ]
        ),
    )
    clock = sa.table(
        "sla_clock",
        *(
            sa.column(name, kind)
            for name, kind in [
                ("crm", TEXT),
                ("contact_id", TEXT),
                ("name", TEXT),
                ("owner_id", TEXT),
                ("started_at", UTC),
                ("due_at", UTC),
                ("status", TEXT),
                ("met_at", UTC),
                ("met_by", TEXT),
            ]
        ),
    )
    clocks: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in bind.execute(sa.select(clock)):
        clocks.setdefault((row.crm, row.contact_id), []).append(
            {
                "name": row.name,
                "started_at": row.started_at.isoformat(),
                "due_at": row.due_at.isoformat(),
                "status": row.status,
                "met_by": row.met_by,
                "met_at": row.met_at.isoformat() if row.met_at else None,
            }
        )
    new = sa.table("decision", *(sa.column(name, kind) for name, kind in _DECISION_COLUMNS.items()))
    for rows in _chunks(bind.execute(sa.select(old))):
        converted = [_decision(row, clocks.get((row.crm, row.contact_id), [])) for row in rows]
        bind.execute(new.insert(), converted)
        bind.execute(
            contact.update()
            .where(contact.c.crm == sa.bindparam("b_crm"), contact.c.id == sa.bindparam("b_id"))
            .values(decision_seq=1),
            [{"b_crm": row["crm"], "b_id": row["contact_id"]} for row in converted],
        )
    op.drop_table("decision_0002")
    with op.batch_alter_table("sla_clock", schema=None) as batch:
        batch.drop_index(batch.f("ix_sla_clock_status"))
    op.drop_table("sla_clock")


_DECISION_COLUMNS: dict[str, Any] = {
    "crm": TEXT,
    "contact_id": TEXT,
    "seq": sa.Integer(),
    "at": UTC,
    "policy_version": TEXT,
    "stage": TEXT,
    "previous_stage": TEXT,
    "fit": sa.Integer(),
    "behavior": sa.Integer(),
    "score": sa.Integer(),
    "high_intent": sa.Boolean(),
    "owner_id": TEXT,
    "summary": TEXT,
    "reasons": sa.JSON(),
    "problems": sa.JSON(),
    "routing": sa.JSON(),
    "clocks": sa.JSON(),
    "memory": sa.JSON(),
    "desired": sa.JSON(),
    "next_check_at": UTC,
    "digest": TEXT,
}


def _decision(row: Any, clocks: list[dict[str, Any]]) -> dict[str, Any]:
    memory = {
        "stage": row.stage,
        "entered": row.stage_entered,
        "owner_id": row.owner_id,
        "owner_assigned_at": row.owner_assigned_at.isoformat() if row.owner_assigned_at else None,
        "escalated_from": row.escalated_from,
        "accepted_at": row.accepted_at.isoformat() if row.accepted_at else None,
        "routing": row.routing,
        "clocks": {item["name"]: item["status"] for item in clocks},
    }
    return {
        "crm": row.crm,
        "contact_id": row.contact_id,
        "seq": 1,
        "at": row.evaluated_at,
        "policy_version": row.policy_version,
        "stage": row.stage,
        "previous_stage": row.previous_stage,
        "fit": row.fit,
        "behavior": row.behavior,
        "score": row.score,
        "high_intent": row.high_intent,
        "owner_id": row.owner_id,
        "summary": row.summary,
        "reasons": [[r["rule"], r["detail"], r.get("points"), r.get("signal")] for r in row.reasons],
        "problems": row.problems,
        "routing": row.routing,
        "clocks": clocks,
        "memory": memory,
        "desired": row.desired,
        "next_check_at": row.next_check_at,
        # No digest yet: the next decision about the contact is logged whatever it decides.
        "digest": "",
    }


def downgrade() -> None:
    """Back to one snapshot and one decision per contact: the latest of each is kept."""
    bind = op.get_bind()
    versions, activities = _tables()
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    contact = sa.table(
        "contact",
        sa.column("crm", TEXT),
        sa.column("id", TEXT),
        sa.column("version", sa.Integer()),
        sa.column("crm_values", sa.JSON()),
        sa.column("decision_seq", sa.Integer()),
    )
    for row in bind.execute(
        sa.select(contact.c.crm, contact.c.id, contact.c.crm_values, versions.c.data).join(
            versions,
            sa.and_(
                versions.c.crm == contact.c.crm,
                versions.c.contact_id == contact.c.id,
                versions.c.version == contact.c.version,
            ),
        )
    ):
        latest[(row.crm, row.id)] = {"data": row.data, "written": row.crm_values, "activities": []}
    for row in bind.execute(sa.select(activities).order_by(activities.c.occurred_at, activities.c.id)):
        entry = latest.get((row.crm, row.contact_id))
        if entry is not None:
            entry["activities"].append(
                {
                    "id": row.id,
                    "kind": row.kind,
                    "occurred_at": row.occurred_at.isoformat(),
                    "owner_id": row.owner_id,
                    "attributes": row.attributes,
                }
            )
    decisions = _latest_decisions(bind, contact)
    with op.batch_alter_table("sync_run", schema=None) as batch:
        batch.drop_column("process")
    with op.batch_alter_table("contact", schema=None) as batch:
        batch.add_column(sa.Column("data", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("activities", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("written", sa.JSON(), nullable=False, server_default="{}"))
        batch.drop_index("ix_contact_account")
        batch.drop_column("decision_seq")
        batch.drop_column("crm_values")
        batch.drop_column("version")
        batch.drop_column("account_domain")
    old_contact = sa.table(
        "contact",
        sa.column("crm", TEXT),
        sa.column("id", TEXT),
        sa.column("data", sa.JSON()),
        sa.column("activities", sa.JSON()),
        sa.column("written", sa.JSON()),
    )
    params = [
        {"b_crm": crm, "b_id": cid, "b_data": e["data"], "b_acts": e["activities"], "b_written": e["written"]}
        for (crm, cid), e in latest.items()
    ]
    for start in range(0, len(params), CHUNK):
        bind.execute(
            old_contact.update()
            .where(old_contact.c.crm == sa.bindparam("b_crm"), old_contact.c.id == sa.bindparam("b_id"))
            .values(
                data=sa.bindparam("b_data"),
                activities=sa.bindparam("b_acts"),
                written=sa.bindparam("b_written"),
            ),
            params[start : start + CHUNK],
        )
    with op.batch_alter_table("contact", schema=None) as batch:
        batch.alter_column("data", server_default=None)
        batch.alter_column("activities", server_default=None)
        batch.alter_column("written", server_default=None)
    _restore_decisions(bind, decisions)
    op.drop_table("contact_version")
    with op.batch_alter_table("clock_event", schema=None) as batch:
        batch.drop_index("ix_clock_event_contact")
        batch.drop_index("ix_clock_event_at")
    op.drop_table("clock_event")
    op.drop_table("activity")


def _latest_decisions(bind: sa.Connection, contact: sa.TableClause) -> list[Any]:
    decision = sa.table("decision", *(sa.column(name, kind) for name, kind in _DECISION_COLUMNS.items()))
    return list(
        bind.execute(
            sa.select(decision).join(
                contact,
                sa.and_(
                    contact.c.crm == decision.c.crm,
                    contact.c.id == decision.c.contact_id,
                    contact.c.decision_seq == decision.c.seq,
                ),
            )
        )
    )


def _restore_decisions(bind: sa.Connection, decisions: list[Any]) -> None:
    with op.batch_alter_table("decision", schema=None) as batch:
        batch.drop_index("ix_decision_at")
    op.drop_table("decision")
    op.create_table(
        "decision",
        sa.Column("crm", TEXT, nullable=False),
        sa.Column("contact_id", TEXT, nullable=False),
        sa.Column("evaluated_at", UTC, nullable=False),
        sa.Column("policy_version", TEXT, nullable=False),
        sa.Column("stage", TEXT, nullable=False),
        sa.Column("previous_stage", TEXT, nullable=True),
        sa.Column("fit", sa.Integer(), nullable=False),
        sa.Column("behavior", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("high_intent", sa.Boolean(), nullable=False),
        sa.Column("owner_id", TEXT, nullable=True),
        sa.Column("owner_assigned_at", UTC, nullable=True),
        sa.Column("escalated_from", sa.JSON(), nullable=False),
        sa.Column("accepted_at", UTC, nullable=True),
        sa.Column("stage_entered", sa.JSON(), nullable=False),
        sa.Column("next_check_at", UTC, nullable=True),
        sa.Column("summary", TEXT, nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("routing", sa.JSON(), nullable=True),
        sa.Column("desired", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("crm", "contact_id", name=op.f("pk_decision")),
    )
    op.create_table(
        "sla_clock",
        sa.Column("crm", TEXT, nullable=False),
        sa.Column("contact_id", TEXT, nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("owner_id", TEXT, nullable=True),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("met_at", UTC, nullable=True),
        sa.Column("met_by", TEXT, nullable=True),
        sa.PrimaryKeyConstraint("crm", "contact_id", "name", name=op.f("pk_sla_clock")),
    )
    with op.batch_alter_table("sla_clock", schema=None) as batch:
        batch.create_index("ix_sla_clock_status", ["crm", "status", "due_at"], unique=False)
    old = sa.table("decision", *(sa.column(name, kind) for name, kind in _OLD_DECISION_COLUMNS.items()))
    clock = sa.table("sla_clock", *(sa.column(name, kind) for name, kind in _CLOCK_COLUMNS.items()))
    rows, clock_rows = [], []
    for d in decisions:
        memory = d.memory or {}
        rows.append(
            {
                "crm": d.crm,
                "contact_id": d.contact_id,
                "evaluated_at": d.at,
                "policy_version": d.policy_version,
                "stage": d.stage,
                "previous_stage": d.previous_stage,
                "fit": d.fit,
                "behavior": d.behavior,
                "score": d.score,
                "high_intent": bool(d.high_intent),
                "owner_id": d.owner_id,
                "owner_assigned_at": _instant(memory.get("owner_assigned_at")),
                "escalated_from": memory.get("escalated_from") or [],
                "accepted_at": _instant(memory.get("accepted_at")),
                "stage_entered": memory.get("entered") or {},
                "next_check_at": d.next_check_at,
                "summary": d.summary,
                "reasons": [
                    {
                        k: v
                        for k, v in zip(("rule", "detail", "points", "signal"), r, strict=True)
                        if v is not None
                    }
                    for r in d.reasons
                ],
                "problems": d.problems,
                "routing": d.routing,
                "desired": d.desired,
            }
        )
        for item in d.clocks:
            clock_rows.append(
                {
                    "crm": d.crm,
                    "contact_id": d.contact_id,
                    "name": item["name"],
                    "owner_id": d.owner_id,
                    "started_at": _instant(item["started_at"]),
                    "due_at": _instant(item["due_at"]),
                    "status": item["status"],
                    "met_at": _instant(item.get("met_at")),
                    "met_by": item.get("met_by"),
                }
            )
    if rows:
        bind.execute(old.insert(), rows)
    if clock_rows:
        bind.execute(clock.insert(), clock_rows)


_OLD_DECISION_COLUMNS: dict[str, Any] = {
    "crm": TEXT,
    "contact_id": TEXT,
    "evaluated_at": UTC,
    "policy_version": TEXT,
    "stage": TEXT,
    "previous_stage": TEXT,
    "fit": sa.Integer(),
    "behavior": sa.Integer(),
    "score": sa.Integer(),
    "high_intent": sa.Boolean(),
    "owner_id": TEXT,
    "owner_assigned_at": UTC,
    "escalated_from": sa.JSON(),
    "accepted_at": UTC,
    "stage_entered": sa.JSON(),
    "next_check_at": UTC,
    "summary": TEXT,
    "reasons": sa.JSON(),
    "problems": sa.JSON(),
    "routing": sa.JSON(),
    "desired": sa.JSON(),
}
_CLOCK_COLUMNS: dict[str, Any] = {
    "crm": TEXT,
    "contact_id": TEXT,
    "name": TEXT,
    "owner_id": TEXT,
    "started_at": UTC,
    "due_at": UTC,
    "status": TEXT,
    "met_at": UTC,
    "met_by": TEXT,
}


def _tables() -> tuple[sa.TableClause, sa.TableClause]:
    versions = sa.table(
        "contact_version",
        sa.column("crm", TEXT),
        sa.column("contact_id", TEXT),
        sa.column("version", sa.Integer()),
        sa.column("seen_at", UTC),
        sa.column("source", TEXT),
        sa.column("data", sa.JSON()),
    )
    activities = sa.table(
        "activity",
        sa.column("crm", TEXT),
        sa.column("contact_id", TEXT),
        sa.column("id", TEXT),
        sa.column("kind", TEXT),
        sa.column("occurred_at", UTC),
        sa.column("owner_id", TEXT),
        sa.column("attributes", sa.JSON()),
        sa.column("first_seen_at", UTC),
    )
    return versions, activities


def _chunks(result: sa.CursorResult[Any]) -> Iterator[Sequence[Any]]:
    while rows := result.fetchmany(CHUNK):
        yield rows


def _instant(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    return datetime.fromisoformat(value)
