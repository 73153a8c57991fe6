"""Retention (``cases.retention``): the legal holds that keep a closed report's identity and
evidence past the retention periods."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ReportHold(Base):
    """A legal hold on one report (set by the coordinator in the console): the retention round
    leaves its reporter's identity and its evidence files alone while the row exists. Lifting
    the hold deletes the row; both are in the console's audit trail."""

    __tablename__ = "report_holds"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    held_by: Mapped[str] = mapped_column(String(64), default="")
    held_by_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
