"""units, group chats and message links

New NOT NULL columns on existing tables get an empty server default so old rows stay valid.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:39:37.370861
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("area_code", sa.String(length=20), nullable=True),
        sa.Column("show_officer_name", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["units.id"], name=op.f("fk_units_parent_id_units"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("area_code", name=op.f("uq_units_area_code")),
        sa.UniqueConstraint("code", name=op.f("uq_units_code")),
    )
    op.create_table(
        "binding_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_in_chat", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_binding_codes_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_binding_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_binding_codes_code")),
    )
    with op.batch_alter_table("binding_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_binding_codes_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "unit_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bound_by", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("unbound_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unbound_reason", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_chats_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_chats")),
        sa.UniqueConstraint("channel", "chat_id", name="uq_unit_chats_channel_chat"),
    )
    with op.batch_alter_table("unit_chats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_chats_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "message_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False, server_default=""),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_message_links_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_links")),
        sa.UniqueConstraint("channel", "chat_id", "message_id", name="uq_message_links_message"),
    )
    with op.batch_alter_table("message_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_links_report", ["report_id", "chat_id", "purpose"], unique=False
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=16), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("link_action", sa.String(length=40), nullable=False, server_default="")
        )

    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("to_unit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_events_to_unit_id_units"),
            "units",
            ["to_unit_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_report_events_unit_id_units"),
            "units",
            ["unit_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("paused_status", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("selesai_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("rating", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("rating_comment", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_index("ix_reports_unit_status", ["unit_id", "status"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_unit_id_units"),
            "units",
            ["unit_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reports_unit_id_units"), type_="foreignkey")
        batch_op.drop_index("ix_reports_unit_status")
        batch_op.drop_column("rating_comment")
        batch_op.drop_column("rating")
        batch_op.drop_column("selesai_at")
        batch_op.drop_column("paused_status")
        batch_op.drop_column("unit_id")

    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_report_events_unit_id_units"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_report_events_to_unit_id_units"), type_="foreignkey"
        )
        batch_op.drop_column("to_unit_id")
        batch_op.drop_column("unit_id")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("link_action")
        batch_op.drop_column("purpose")

    with op.batch_alter_table("message_links", schema=None) as batch_op:
        batch_op.drop_index("ix_message_links_report")

    op.drop_table("message_links")
    with op.batch_alter_table("unit_chats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_chats_unit_id"))

    op.drop_table("unit_chats")
    with op.batch_alter_table("binding_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_binding_codes_unit_id"))

    op.drop_table("binding_codes")
    op.drop_table("units")
