"""deal version: outcomes, the deals associated with each contact as handoff saw them over time

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 22:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import handoff.store.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = handoff.store.types.UTCDateTime(timezone=True)
TEXT = sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    op.create_table(
        "deal_version",
        sa.Column("crm", TEXT, nullable=False),
        sa.Column("deal_id", TEXT, nullable=False),
        sa.Column("contact_id", TEXT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seen_at", UTC, nullable=False),
        sa.Column("modified_at", UTC, nullable=False),
        sa.Column("linked", sa.Boolean(), nullable=False),
        sa.Column("stage", TEXT, nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("won", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("created_at", UTC, nullable=True),
        sa.Column("close_date", UTC, nullable=True),
        sa.PrimaryKeyConstraint("crm", "deal_id", "contact_id", "version", name=op.f("pk_deal_version")),
    )
    with op.batch_alter_table("deal_version", schema=None) as batch:
        batch.create_index("ix_deal_version_contact", ["crm", "contact_id", "seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deal_version", schema=None) as batch:
        batch.drop_index("ix_deal_version_contact")
    op.drop_table("deal_version")
