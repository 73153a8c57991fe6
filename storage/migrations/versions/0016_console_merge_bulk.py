"""console requests: a duplicate's original, and the batch of a bulk action

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "console_requests"


def upgrade() -> None:
    with op.batch_alter_table(_NAME, schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f(f"fk_{_NAME}_original_id_reports"),
            "reports",
            ["original_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_console_requests_batch", ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table(_NAME, schema=None) as batch_op:
        batch_op.drop_index("ix_console_requests_batch")
        batch_op.drop_constraint(op.f(f"fk_{_NAME}_original_id_reports"), type_="foreignkey")
        batch_op.drop_column("batch_id")
        batch_op.drop_column("original_id")
