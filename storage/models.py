"""SQLAlchemy 2 models. Schema changes go through Alembic migrations in ``storage/migrations``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so it is put back on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime()}  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)


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
    language: Mapped[str] = mapped_column(String(8), default="id")
    consent_at: Mapped[datetime]
    consent_version: Mapped[str] = mapped_column(String(16))
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


class Unit(Base):
    """A unit that handles reports: the coordinator (Diskominfo), an OPD, a kecamatan or a desa.

    Area units carry the Kemendagri code of their area (``64.08.01`` for a kecamatan,
    ``64.08.01.2001`` for a desa); OPDs and the coordinator have none.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    area_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Whether relayed answers carry the officer's own name (otherwise only the unit's name).
    show_officer_name: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class UnitChat(Base):
    """A group chat bound to a unit; its officers act on the unit's reports there."""

    __tablename__ = "unit_chats"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_unit_chats_channel_chat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str] = mapped_column(String(8), default="id")
    bound_at: Mapped[datetime]
    bound_by: Mapped[str] = mapped_column(String(64), default="")
    # Unbound chats keep their row (and the links to their messages) with ``active`` false.
    active: Mapped[bool] = mapped_column(default=True)
    unbound_at: Mapped[datetime | None]
    unbound_reason: Mapped[str] = mapped_column(String(64), default="")


class UnitOfficer(Base):
    """Petugas yang ditunjuk: someone the unit named (``aduan units officers``), who has the
    group admins' rights over reports in the unit's groups without being a Telegram admin."""

    __tablename__ = "unit_officers"
    __table_args__ = (UniqueConstraint("unit_id", "channel", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(64), default="")


class BindingCode(Base):
    """A one-time, expiring code that binds a group to a unit with ``/daftar CODE``."""

    __tablename__ = "binding_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_in_chat: Mapped[str] = mapped_column(String(64), default="")


#: The columns of the console's covering indexes (also named by migration 0008).
CONSOLE_UNIT_COLUMNS = (
    "unit_id",
    "created_on",
    "report_type",
    "status",
    "verify_on_time",
    "verified_on",
    "follow_up_on_time",
    "followed_up_on",
    "finish_on_time",
    "finished_on",
    "stage_due",
    "due_date",
    "reopened",
    "rating",
)
#: ``ix_reports_stage_due`` (migration 0010): covers the console's count of open stages past
#: their deadline (only open stages have a ``stage_due``).
STAGE_DUE_COLUMNS = (
    "stage_due",
    "created_on",
    "unit_id",
    "verified_on",
    "verify_on_time",
    "followed_up_on",
    "follow_up_on_time",
    "finished_on",
    "finish_on_time",
)
CONSOLE_DAY_COLUMNS = (
    "created_on",
    "unit_id",
    "report_type",
    "category",
    "status",
    "due_date",
    "region_code",
    "verify_on_time",
    "verified_on",
    "stage_due",
)


class Report(Base):
    """Laporan: one submitted complaint, aspiration or information request."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_citizen_created", "citizen_id", "created_at"),
        Index("ix_reports_status_due", "status", "due_date"),
        Index("ix_reports_unit_status_due", "unit_id", "status", "due_date"),
        # The clock's scans: both dates are NULL for reports that need nothing more.
        Index("ix_reports_next_notice", "next_notice_on"),
        Index("ix_reports_status_ombudsman", "status", "ombudsman_on"),
        # The console's aggregates (storage/console.py): each groups by the leading column and
        # finds every other column it reads in the index (no table rows, no sorting).
        Index("ix_reports_console_units", *CONSOLE_UNIT_COLUMNS),
        Index("ix_reports_console_days", *CONSOLE_DAY_COLUMNS),
        Index("ix_reports_console_regions", "region_code", "created_on", "unit_id", "status"),
        Index("ix_reports_verify_days", "verify_days", "created_on", "unit_id"),
        Index("ix_reports_follow_up_days", "follow_up_days", "created_on", "unit_id"),
        Index("ix_reports_finish_days", "finish_days", "created_on", "unit_id"),
        # The open stages the console judges against today (the roll-up holds the rest).
        Index("ix_reports_stage_due", *STAGE_DUE_COLUMNS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(16), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(16))
    report_type: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(20))
    address_detail: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text)
    privacy: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24))
    due_date: Mapped[date | None] = mapped_column(Date)
    # The unit that holds the report now (routing result, moved by transfers).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    # While ``menunggu_pelapor``: the status to go back to when the reporter answers.
    paused_status: Mapped[str | None] = mapped_column(String(24))
    selesai_at: Mapped[datetime | None]
    # Closed for good: the reporter confirmed, or stayed silent through the quiet period.
    closed_at: Mapped[datetime | None]
    # The clock (core.deadlines): the next local date a notice may be owed; NULL: none.
    next_notice_on: Mapped[date | None] = mapped_column(Date)
    # While ``menunggu_pelapor``: since when, and the working days the stage had left.
    paused_at: Mapped[datetime | None]
    paused_days_left: Mapped[int | None] = mapped_column(Integer)
    # The day the reporter is told Ombudsman RI can take the report (NULL once told or resolved).
    ombudsman_on: Mapped[date | None] = mapped_column(Date)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The measured stages (core.performance.Moments), written with each decision: the local
    # day each stage ended, the working days it took (pauses for the reporter left out) and
    # whether it was on time; the open stage's waited days and deadline. NULL ``created_on``:
    # not submitted yet.
    created_on: Mapped[date | None] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    verify_days: Mapped[int | None] = mapped_column(Integer)
    verify_on_time: Mapped[bool | None]
    followed_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_days: Mapped[int | None] = mapped_column(Integer)
    follow_up_on_time: Mapped[bool | None]
    finished_on: Mapped[date | None] = mapped_column(Date)
    finish_days: Mapped[int | None] = mapped_column(Integer)
    finish_on_time: Mapped[bool | None]
    stage_paused: Mapped[int] = mapped_column(Integer, default=0)
    stage_due: Mapped[date | None] = mapped_column(Date)
    reopened: Mapped[bool] = mapped_column(default=False)

    photos: Mapped[list[ReportPhoto]] = relationship(
        back_populates="report", order_by="ReportPhoto.position", lazy="raise"
    )
    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id", lazy="raise"
    )


class DigestRun(Base):
    """A unit's morning digest (ringkasan pagi) of one local day was queued: never twice."""

    __tablename__ = "digest_runs"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    created_at: Mapped[datetime]


class ReportPhoto(Base):
    """Evidence photo: kept by file id, and downloaded into the media store by the media worker."""

    __tablename__ = "report_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(128))
    media_group_id: Mapped[str] = mapped_column(String(64), default="")
    mime_type: Mapped[str] = mapped_column(String(64), default="image/jpeg")
    stored_path: Mapped[str | None] = mapped_column(String(500))
    download_attempts: Mapped[int] = mapped_column(Integer, default=0)
    download_error: Mapped[str | None] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="photos", lazy="raise")


class ReportEvent(Base):
    """One step of a report's timeline (its audit trail): who, when, what, with a note."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status_from: Mapped[str | None] = mapped_column(String(24))
    status_to: Mapped[str | None] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    # The unit on whose behalf the actor acted, and a second unit (the target of a transfer).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]

    report: Mapped[Report] = relationship(back_populates="events", lazy="raise")


class MessageLink(Base):
    """Which chat message belongs to which report: the reply path, kept across restarts.

    Written by the outbox worker when a message about a report is sent (``purpose`` says what it
    was: ``card``, ``album``, ``relay``, ``prompt`` ...), and by the handlers for citizens' and
    officers' own messages that were relayed. ``action`` is set on prompts that wait for an
    officer's reply (``ask``, ``note``, ``done``, ``transfer:<unit id>``).
    """

    __tablename__ = "message_links"
    __table_args__ = (
        UniqueConstraint("channel", "chat_id", "message_id", name="uq_message_links_message"),
        Index("ix_message_links_report", "report_id", "chat_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[int] = mapped_column(BigInteger)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime]


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


class ReportSupporter(Base):
    """A citizen who follows another's report (laporan serupa, "👍 Dukung laporan ini"), or the
    reporter of a report the unit marked as its duplicate (``source_report_id``). Supporters get
    the report's public updates and may add words and photos; nobody else sees who they are."""

    __tablename__ = "report_supporters"
    __table_args__ = (UniqueConstraint("report_id", "citizen_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    # The duplicate this supporter's own report was (merged by the unit); NULL: supported.
    source_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]


# --- the console's roll-up (migration 0010) -------------------------------------------------
#
# Kept by database triggers on ``reports`` (every writer goes through them; see
# storage/migrations/versions/0010_rollup.py and docs/console.md "Scale"): the counts of the
# reports filed (``created_on``) per holding unit (``unit_key``: the unit's id, 0 for none) that
# do not depend on today. Types and statuses are columns: a new value needs a migration (a unit
# test compares these lists with core.lifecycle).

ROLLUP_TYPES = ("pengaduan", "aspirasi", "permintaan_informasi")
ROLLUP_STATUSES = ("baru", "didisposisi", "diproses", "menunggu_pelapor", "selesai", "diarsipkan")
ROLLUP_SUMS = (
    "received",
    "verify_on_time",
    "verify_ended",
    "follow_up_on_time",
    "follow_up_ended",
    "finish_on_time",
    "finish_ended",
    "reopened",
    "rating_sum",
    "rated",
    "rated_good",
)
ROLLUP_MEASURES = ("verify_days", "follow_up_days", "finish_days")


def _count() -> Any:
    return mapped_column(Integer, default=0, server_default="0")


class ReportDay(Base):
    """Per holding unit and day filed: the counts of :data:`ROLLUP_SUMS`, by type and status."""

    __tablename__ = "report_rollup"
    # Clustered on the key in SQLite: a period is one range of the table itself.
    __table_args__ = ({"sqlite_with_rowid": False},)

    unit_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    received: Mapped[int] = _count()
    verify_on_time: Mapped[int] = _count()
    verify_ended: Mapped[int] = _count()
    follow_up_on_time: Mapped[int] = _count()
    follow_up_ended: Mapped[int] = _count()
    finish_on_time: Mapped[int] = _count()
    finish_ended: Mapped[int] = _count()
    reopened: Mapped[int] = _count()
    rating_sum: Mapped[int] = _count()
    rated: Mapped[int] = _count()
    rated_good: Mapped[int] = _count()
    type_pengaduan: Mapped[int] = _count()
    type_aspirasi: Mapped[int] = _count()
    type_permintaan_informasi: Mapped[int] = _count()
    status_baru: Mapped[int] = _count()
    status_didisposisi: Mapped[int] = _count()
    status_diproses: Mapped[int] = _count()
    status_menunggu_pelapor: Mapped[int] = _count()
    status_selesai: Mapped[int] = _count()
    status_diarsipkan: Mapped[int] = _count()


class ReportMonthCategory(Base):
    """Per holding unit, month filed (``YYYY-MM``) and category: how many reports."""

    __tablename__ = "report_rollup_categories"
    # Clustered on the key in SQLite: a period is one range of the table itself.
    __table_args__ = ({"sqlite_with_rowid": False},)

    unit_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = _count()


class ReportMonthDays(Base):
    """Per holding unit, month filed, ended stage (:data:`ROLLUP_MEASURES`) and working days it
    took: how many reports (the medians' histograms)."""

    __tablename__ = "report_rollup_days"
    # Clustered on the key in SQLite: a period is one range of the table itself.
    __table_args__ = ({"sqlite_with_rowid": False},)

    unit_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = _count()
