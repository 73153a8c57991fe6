"""The monthly summary to the coordinator's group (``runtime.monthly``): one row per month sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class MonthlySummaryRun(Base):
    """The summary of ``month`` (``YYYY-MM``) was queued for the coordinator's groups: the primary
    key lets only one of several workers or rounds queue it, across restarts."""

    __tablename__ = "monthly_summary_runs"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    created_at: Mapped[datetime]
