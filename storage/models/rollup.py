"""The console's roll-up tables, kept by database triggers (migration 0010)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

# --- the console's roll-up (migration 0010) -------------------------------------------------
#
# Kept by database triggers on ``reports`` (every writer goes through them; see
# storage/migrations/versions/0010_rollup.py and docs/console.md "Scale"): the counts of the
# reports filed (``created_on``) per holding unit (``unit_key``: the unit's id, 0 for none) that
# do not depend on today. Types and statuses are columns: a new value needs a migration (a unit
# test compares these lists with core.lifecycle).

ROLLUP_TYPES = ("pengaduan", "aspirasi", "permintaan_informasi")
ROLLUP_STATUSES = (
    "baru",
    "didisposisi",
    "diproses",
    "menunggu_pelapor",
    "selesai",
    "diarsipkan",
    "dirujuk",
)
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
    status_dirujuk: Mapped[int] = _count()


#: The per-day series of all units (the overview's weeks) in day order, without sorting every
#: (unit, day) row of the period: the day written as ``coalesce(day, day)``, which only the
#: per-day statement says, so the per-unit sums keep reading the table by its key.
DAILY_COLUMNS = (
    "received",
    "verify_on_time",
    "verify_ended",
    *(f"type_{kind}" for kind in ROLLUP_TYPES),
)
Index(
    "ix_report_rollup_by_day",
    func.coalesce(ReportDay.day, ReportDay.day),
    *(getattr(ReportDay, name) for name in DAILY_COLUMNS),
)


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
    # Clustered on the key in SQLite: a period is one range of the table itself. The index
    # reads the histograms of all units in (measure, days) order: summed without sorting.
    __table_args__ = (
        Index("ix_report_rollup_days_measure", "measure", "days", "month", "unit_key", "n"),
        {"sqlite_with_rowid": False},
    )

    unit_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = _count()
