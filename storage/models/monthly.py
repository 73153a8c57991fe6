"""The monthly summary to the coordinator's group (``runtime.monthly``): one row per month sent;
and to each kecamatan's group, one row per month and kecamatan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class MonthlySummaryRun(Base):
    """The summary of ``month`` (``YYYY-MM``) was queued for the coordinator's groups: the primary
    key lets only one of several workers or rounds queue it, across restarts."""

    __tablename__ = "monthly_summary_runs"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    created_at: Mapped[datetime]


class MonthlyAreaSummaryRun(Base):
    """The summary of ``month`` scoped to the kecamatan ``unit_id`` was queued for its groups:
    as :class:`MonthlySummaryRun`, the primary key lets one worker or round queue it."""

    __tablename__ = "monthly_area_summary_runs"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime]
