"""Reports and what hangs on them: events, photos, message links, supporters, digest runs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.lifecycle import Privacy, ReportStatus, ReportType
from core.timeline import EventKind
from storage.models.base import Base
from storage.models.enums import StoredEnum

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
#: ``ix_reports_rated_comments``: the order the overview lists comments in, then what its
#: period and units are checked against (no table row read for a report not shown).
RATED_COMMENT_COLUMNS = ("updated_at", "id", "created_on", "unit_id")
#: Its rows (the query must say the same, literally, for SQLite to use the partial index).
RATED_WITH_COMMENT = "rating IS NOT NULL AND rating_comment <> ''"


class Report(Base):
    """Laporan: one submitted complaint, aspiration or information request."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_citizen_created", "citizen_id", "created_at"),
        # The clock's deadlines by status; the day filed and the unit make it cover the
        # console's open reports per day (the overview's ageing: storage/console/tallies.py).
        Index("ix_reports_status_due", "status", "due_date", "created_on", "unit_id"),
        Index("ix_reports_unit_status_due", "unit_id", "status", "due_date"),
        # The clock's scans: both dates are NULL for reports that need nothing more.
        Index("ix_reports_next_notice", "next_notice_on"),
        Index("ix_reports_status_ombudsman", "status", "ombudsman_on"),
        # The console's aggregates (storage/console/): each groups by the leading column and
        # finds every other column it reads in the index (no table rows, no sorting).
        Index("ix_reports_console_units", *CONSOLE_UNIT_COLUMNS),
        Index("ix_reports_console_days", *CONSOLE_DAY_COLUMNS),
        Index("ix_reports_console_regions", "region_code", "created_on", "unit_id", "status"),
        Index("ix_reports_verify_days", "verify_days", "created_on", "unit_id"),
        Index("ix_reports_follow_up_days", "follow_up_days", "created_on", "unit_id"),
        Index("ix_reports_finish_days", "finish_days", "created_on", "unit_id"),
        # The open stages the console judges against today (the roll-up holds the rest).
        Index("ix_reports_stage_due", *STAGE_DUE_COLUMNS),
        Index("ix_reports_assignee", "assignee_id"),
        # The retention round (cases/retention.py): closed reports past a period.
        Index("ix_reports_closed_at", "closed_at"),
        # The overview's citizens' comments, newest first: only the rows rated with a comment
        # (partial), read backwards until the period's last few are found.
        Index(
            "ix_reports_rated_comments",
            *RATED_COMMENT_COLUMNS,
            sqlite_where=text(RATED_WITH_COMMENT),
            postgresql_where=text(RATED_WITH_COMMENT),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(16), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(16))
    report_type: Mapped[ReportType] = mapped_column(StoredEnum(ReportType, 32))
    category: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(20))
    address_detail: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text)
    privacy: Mapped[Privacy] = mapped_column(StoredEnum(Privacy, 16))
    status: Mapped[ReportStatus] = mapped_column(StoredEnum(ReportStatus, 24))
    due_date: Mapped[date | None] = mapped_column(Date)
    # The unit that holds the report now (routing result, moved by transfers).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    # While ``menunggu_pelapor``: the status to go back to when the reporter answers.
    paused_status: Mapped[ReportStatus | None] = mapped_column(StoredEnum(ReportStatus, 24))
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
    # Ditangani oleh: the one officer of the holding unit responsible for it (their user id on
    # the unit's channel, and their name as shown); NULL: nobody yet (cases.assignment).
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    assignee_name: Mapped[str] = mapped_column(String(200), default="")
    # While dirujuk: the outside body it was referred to (referral_bodies.id; no foreign key, a
    # body is never deleted, only marked inactive).
    referral_body_id: Mapped[int | None] = mapped_column(Integer)

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
    kind: Mapped[EventKind] = mapped_column(StoredEnum(EventKind, 32))
    status_from: Mapped[ReportStatus | None] = mapped_column(StoredEnum(ReportStatus, 24))
    status_to: Mapped[ReportStatus | None] = mapped_column(StoredEnum(ReportStatus, 24))
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
