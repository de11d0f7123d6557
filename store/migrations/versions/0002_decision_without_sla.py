"""decision without sla: the SLA clocks live in sla_clock only

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("sla")


def downgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("sla", sa.JSON(), nullable=False, server_default="[]"))
