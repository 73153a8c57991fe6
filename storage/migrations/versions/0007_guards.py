"""guards: officers a unit names (petugas yang ditunjuk)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unit_officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_unit_officers_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_officers")),
        sa.UniqueConstraint("unit_id", "channel", "user_id", name=op.f("uq_unit_officers_unit_id")),
    )
    with op.batch_alter_table("unit_officers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_officers_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit_officers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_officers_unit_id"))
    op.drop_table("unit_officers")
