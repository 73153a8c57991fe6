"""monthly summary per kecamatan: one row per month and kecamatan whose summary was queued for
the kecamatan's group (runtime/monthly.py)

Revision ID: 0037
Revises: 0031
Create Date: 2026-12-07 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monthly_area_summary_runs",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_monthly_area_summary_runs_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("month", "unit_id", name=op.f("pk_monthly_area_summary_runs")),
    )


def downgrade() -> None:
    op.drop_table("monthly_area_summary_runs")
