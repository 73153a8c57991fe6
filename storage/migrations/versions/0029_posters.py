"""posters: scans of a poster's QR code and the reports filed after one (issue 31)

Revision ID: 0029
Revises: 0023
Create Date: 2026-12-07 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "poster_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poster_code", sa.String(length=32), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poster_scans")),
    )
    op.create_index(
        op.f("ix_poster_scans_poster_code"), "poster_scans", ["poster_code"], unique=False
    )
    op.create_table(
        "poster_reports",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("poster_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_poster_reports_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_poster_reports")),
    )
    op.create_index(
        op.f("ix_poster_reports_poster_code"), "poster_reports", ["poster_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_poster_reports_poster_code"), table_name="poster_reports")
    op.drop_table("poster_reports")
    op.drop_index(op.f("ix_poster_scans_poster_code"), table_name="poster_scans")
    op.drop_table("poster_scans")
