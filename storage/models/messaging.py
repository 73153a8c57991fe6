"""The inbox, the outbox and the leases of the workers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class InboxUpdate(Base):
    """An update as received, recorded before it is confirmed to Telegram.

    The unique (channel, update_id) makes a redelivered update a no-op. The payload is cleared once
    processed: only the key is needed to recognise a redelivery, and it holds personal data.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_id", name="uq_inbox_channel_update"),
        Index("ix_inbox_pending", "processed_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[str] = mapped_column(String(64), default="")
    media_group_id: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """A message to send, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "sent_at", "failed_at", "id"),
        Index("ix_outbox_unpruned", "pruned_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    not_before: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    # What the message is to its report (see MessageLink.purpose); sent rows with a purpose
    # become message links. ``link_action`` marks a prompt that waits for an officer's reply.
    purpose: Mapped[str] = mapped_column(String(16), default="")
    link_action: Mapped[str] = mapped_column(String(40), default="")
    # When the text of a settled row was dropped after OUTBOX_RETENTION_DAYS (the row stays:
    # it still counts as a send; storage.outbox_retention).
    pruned_at: Mapped[datetime | None]


class Lease(Base):
    """Who runs a once-per-deployment duty (the clock's jobs, the sender) until when.

    The holder renews the lease well before ``expires_at``; when it dies, another process takes
    the row over once it has expired (see ``storage.leases``).
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
    acquired_at: Mapped[datetime]
