"""similar: supporters of a report (laporan serupa) and merged duplicates

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_supporters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("source_report_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_supporters_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_report_supporters_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_report_id"],
            ["reports.id"],
            name=op.f("fk_report_supporters_source_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_supporters")),
        sa.UniqueConstraint("report_id", "citizen_id", name=op.f("uq_report_supporters_report_id")),
    )
    with op.batch_alter_table("report_supporters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_supporters_report_id"), ["report_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_report_supporters_citizen_id"), ["citizen_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_supporters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_supporters_citizen_id"))
        batch_op.drop_index(batch_op.f("ix_report_supporters_report_id"))
    op.drop_table("report_supporters")
