"""WhatsApp's 24-hour window: each chat's last inbound message, and the messages held while the
window was shut (storage/wa_window.py)

Revision ID: 0032
Revises: 0037
Create Date: 2026-12-07 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_windows",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_whatsapp_windows")),
    )
    op.create_table(
        "whatsapp_held",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("link_action", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_whatsapp_held_outbox_id_outbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_whatsapp_held_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_held")),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_whatsapp_held_outbox_id")),
    )
    op.create_index(
        "ix_whatsapp_held_waiting", "whatsapp_held", ["chat_id", "released_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_whatsapp_held_waiting", table_name="whatsapp_held")
    op.drop_table("whatsapp_held")
    op.drop_table("whatsapp_windows")
