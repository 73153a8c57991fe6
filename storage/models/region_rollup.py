"""The public area pages' roll-up (migration 0036), kept by database triggers on ``reports``:
per area filed (``region_code``, "" for none) and month filed (``YYYY-MM``), the sums of
:data:`storage.models.rollup.ROLLUP_SUMS` and the medians' day histograms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


def _count() -> Any:
    return mapped_column(Integer, default=0, server_default="0")


class ReportRegionMonth(Base):
    """Per area and month filed: the counts the unit roll-up keeps, without types and statuses."""

    __tablename__ = "report_region_rollup"
    __table_args__ = ({"sqlite_with_rowid": False},)

    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
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


class ReportRegionDays(Base):
    """Per area, month filed, ended stage and working days it took: how many reports."""

    __tablename__ = "report_region_rollup_days"
    __table_args__ = ({"sqlite_with_rowid": False},)

    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = _count()
