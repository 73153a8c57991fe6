"""Citizens and their conversations with the bot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Citizen(Base):
    """Pelapor: created only after the citizen agreed to the privacy notice."""

    __tablename__ = "citizens"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_citizens_channel_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str] = mapped_column(String(64), default="")
    # A telephone number given at the counter (lapor atas nama warga); "" for everyone else.
    phone: Mapped[str] = mapped_column(String(32), default="")
    language: Mapped[str] = mapped_column(String(8), default="id")
    consent_at: Mapped[datetime]
    consent_version: Mapped[str] = mapped_column(String(16))
    # Set when the citizen withdrew consent (/dataku): the bot then answers only the data
    # rights until they agree again; NULL: consent stands.
    consent_withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Conversation(Base):
    """Where a chat stands: language, current step, the draft, and flood-control counters."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_conversations_channel_chat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="id")
    step: Mapped[str] = mapped_column(String(32), default="idle")
    step_seq: Mapped[int] = mapped_column(Integer, default=0)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    draft_started_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    throttle_window_start: Mapped[datetime | None]
    throttle_count: Mapped[int] = mapped_column(Integer, default=0)
    throttle_warned: Mapped[bool] = mapped_column(default=False)
