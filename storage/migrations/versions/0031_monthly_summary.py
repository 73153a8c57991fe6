"""monthly summary: one row per month whose summary was queued for the coordinator's group
(runtime/monthly.py)

Revision ID: 0031
Revises: 0029
Create Date: 2026-12-07 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monthly_summary_runs",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_monthly_summary_runs")),
    )


def downgrade() -> None:
    op.drop_table("monthly_summary_runs")
