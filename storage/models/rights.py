"""Citizens' data rights (UU PDP): the record of each request and the removals that wait for a
report to close (docs/privacy.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class DataRequest(Base):
    """One request a citizen made about their own data and its outcome, kept as the controller's
    record. ``subject`` is a keyed hash of the citizen's channel and user id, never the id
    itself: the record outlives a removal without naming the person."""

    __tablename__ = "data_requests"
    __table_args__ = (Index("ix_data_requests_subject", "subject", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(64))
    # view, copy, correct_name, correct_phone, withdraw, consent_again, erase, hide
    kind: Mapped[str] = mapped_column(String(24))
    # granted, pending (waits for reports to close), nothing (nothing held), limited (copies)
    outcome: Mapped[str] = mapped_column(String(16))
    # The tracking numbers it touched, or the corrected field's name: never the values.
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class PendingErasure(Base):
    """A report whose reporter asked for removal while it was open: the identity goes when it
    closes (storage.rights.erase_reporter_identity)."""

    __tablename__ = "pending_erasures"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_requests.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
