"""WhatsApp delivery statuses (``storage.wa_deliveries``, docs/whatsapp.md): one row per message
the Cloud API accepted, keyed by its ``wamid``, beside the outbox row that sent it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


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
