"""WhatsApp's 24-hour window and delivery statuses (docs/whatsapp.md): when each chat last
wrote, the notices that could not go while the window was shut (``storage.wa_window``), and
one row per message the Cloud API accepted, keyed by its ``wamid`` (``storage.wa_deliveries``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class WhatsAppWindow(Base):
    """A WhatsApp chat's customer-service window: free-form messages may go until 24 hours
    after ``last_inbound_at`` (the citizen's last message the webhook stored)."""

    __tablename__ = "whatsapp_windows"

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_inbound_at: Mapped[datetime]


class WhatsAppHeld(Base):
    """A message to a WhatsApp citizen that did not reach them (the window shut and no approved
    template, Meta's 131047, a refused template), or went as a template only: its full payload
    is sent again, free-form and in order, when the citizen next writes (``released_at``)."""

    __tablename__ = "whatsapp_held"
    __table_args__ = (Index("ix_whatsapp_held_waiting", "chat_id", "released_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), unique=True
    )
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(16), default="")
    link_action: Mapped[str] = mapped_column(String(40), default="")
    # Why: Meta's error code ("131047", "132001" ...), "no_template", or "template" (a template
    # went in its place; the full text follows).
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    released_at: Mapped[datetime | None]


class WhatsAppDelivery(Base):
    """What became of one sent WhatsApp message: ``sent`` → ``delivered`` → ``read``, or
    ``failed`` with Meta's error code and title. The status only moves forward (a late
    ``delivered`` never replaces ``read``). ``outbox_id`` is empty while only a status is known
    (it came before the send was recorded, or for a message this bot did not send);
    ``handled_at`` marks a failure already retried or surfaced (once)."""

    __tablename__ = "whatsapp_deliveries"

    wamid: Mapped[str] = mapped_column(String(128), primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(Integer, index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    handled_at: Mapped[datetime | None]
