"""whatsapp deliveries: the status of each message sent on WhatsApp (storage.wa_deliveries)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 22:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_deliveries",
        sa.Column("wamid", sa.String(length=128), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_title", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("wamid", name=op.f("pk_whatsapp_deliveries")),
    )
    op.create_index(op.f("ix_whatsapp_deliveries_outbox_id"), "whatsapp_deliveries", ["outbox_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_whatsapp_deliveries_outbox_id"), table_name="whatsapp_deliveries")
    op.drop_table("whatsapp_deliveries")
