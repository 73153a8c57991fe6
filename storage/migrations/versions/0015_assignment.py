"""assignment: one named officer responsible for a report, and the members a group has shown

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MEMBERS = "unit_members"


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("assignee_name", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.create_index("ix_reports_assignee", ["assignee_id"], unique=False)
    op.create_table(
        _MEMBERS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f(f"fk_{_MEMBERS}_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_MEMBERS}")),
        sa.UniqueConstraint("unit_id", "channel", "user_id", name="uq_unit_members_member"),
    )


def downgrade() -> None:
    op.drop_table(_MEMBERS)
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_assignee")
        batch_op.drop_column("assignee_name")
        batch_op.drop_column("assignee_id")
