"""counter: reports filed on a citizen's behalf (at the counter or by phone) and their claim codes

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-07 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "counter_filings"


def upgrade() -> None:
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone", sa.String(length=32), server_default="", nullable=False)
        )
    op.create_table(
        _TABLE,
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.String(length=64), nullable=False),
        sa.Column("officer_name", sa.String(length=200), nullable=False),
        sa.Column("claim_hash", sa.String(length=64), nullable=False),
        sa.Column("claim_failures", sa.Integer(), nullable=False),
        sa.Column("claim_held_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f(f"fk_{_TABLE}_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f(f"fk_{_TABLE}_unit_id_units"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f(f"pk_{_TABLE}")),
    )


def downgrade() -> None:
    op.drop_table(_TABLE)
    # In place (SQLite >= 3.35 drops a column itself): a batch copy of ``citizens`` would drop
    # the table its reports point to, which SQLite's foreign keys refuse once reports exist.
    op.drop_column("citizens", "phone")
