"""retention: legal holds per report (report_holds) and an index on reports.closed_at for the
retention round (cases/retention.py)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_holds",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("held_by", sa.String(length=64), nullable=False),
        sa.Column("held_by_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_holds_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_holds")),
    )
    op.create_index("ix_reports_closed_at", "reports", ["closed_at"])


def downgrade() -> None:
    op.drop_index("ix_reports_closed_at", table_name="reports")
    op.drop_table("report_holds")
