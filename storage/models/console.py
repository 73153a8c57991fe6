"""API keys and the web console's logins, sessions and audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ApiKey(Base):
    """A key another system uses to file reports through the Open311 API (``aduan apikey``).

    Only the key's SHA-256 is stored (``core.open311.hash_api_key``) and its first characters,
    so that an operator can tell keys apart; a revoked key keeps its row for the audit trail.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class ConsoleLogin(Base):
    """A single-use link into the console (``/dasbor`` or ``aduan console link``), kept as a hash.

    ``user_id`` is the group admin it was sent to (empty for a link printed on the server)."""

    __tablename__ = "console_logins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(64), default="")
    user_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ConsoleSession(Base):
    """A console session: the signed cookie names it; logging out or 12 hours end it."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(64), default="")
    user_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class ConsoleAudit(Base):
    """Who did what in the console, and when: logins, report and photo views, exports,
    refusals; in which session and from which address."""

    __tablename__ = "console_audit"
    __table_args__ = (Index("ix_console_audit_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    user_id: Mapped[str] = mapped_column(String(64), default="")
    user_name: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(500), default="")
    # The console session it happened in (its id, never its token) and the client's address.
    session_id: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(64), default="")


class ConsoleRequest(Base):
    """An officer's action asked for in the console (Verifikasi, Minta info, …), waiting for the
    bot's inbox worker, which takes it through the same use case as a group's button and writes
    the outcome here: ``done_at`` set, with ``refusal`` the reason key when it was not done.

    Who asked is the console session's person (their Telegram id and name) and unit."""

    __tablename__ = "console_requests"
    __table_args__ = (
        Index("ix_console_requests_report", "report_id", "id"),
        Index("ix_console_requests_batch", "batch_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(String(32), default="")
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64), default="")
    user_name: Mapped[str] = mapped_column(String(200), default="")
    session_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    refusal: Mapped[str] = mapped_column(String(40), default="")
    #: Archiving as a duplicate: the open report it is merged into.
    original_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    #: A bulk action's requests share the id of its first request (None: one report's form).
    batch_id: Mapped[int | None] = mapped_column(Integer)
