"""Deadlines (tenggat) in working days, computed on the region's local calendar date.

Defaults follow DOMAIN.md (SP4N-LAPOR! FAQ; PermenPAN-RB 62/2018 as summarised by provincial
Diskominfo material). They are defaults only: every number is a setting.
"""

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from core.calendar import WorkingCalendar
from core.lifecycle import ReportStatus, ReportType

#: Verify and route a new report (verifikasi dan disposisi).
VERIFY_DAYS: Final = 3
#: A unit's first follow-up (tindak lanjut pertama).
FOLLOW_UP_DAYS: Final = 5
#: Finish by class: aspirasi, permintaan informasi, pengaduan, pengaduan berkadar pengawasan.
RESOLVE_ASPIRASI_DAYS: Final = 5
RESOLVE_INFORMASI_DAYS: Final = 5
RESOLVE_PENGADUAN_DAYS: Final = 14
RESOLVE_PENGAWASAN_DAYS: Final = 60
#: A finished report closes for good without the reporter's reply.
AUTO_CLOSE_DAYS: Final = 10


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar date of an aware ``moment`` in ``tz`` (e.g. WITA, Asia/Makassar)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(tz).date()


def due_date(started_at: datetime, calendar: WorkingCalendar, tz: ZoneInfo, days: int) -> date:
    """Local date of ``started_at`` plus ``days`` working days: the last day to act."""
    return calendar.add_working_days(local_date(started_at, tz), days)


def verification_due(
    submitted_at: datetime, calendar: WorkingCalendar, tz: ZoneInfo, days: int = VERIFY_DAYS
) -> date:
    """Last day to verify and route a report submitted at ``submitted_at``."""
    return due_date(submitted_at, calendar, tz, days)


def stage_days(status: ReportStatus, report_type: ReportType) -> int | None:
    """Working days a unit has for the stage a report has just entered; None: no clock runs."""
    if status == ReportStatus.BARU:
        return VERIFY_DAYS
    if status == ReportStatus.DIDISPOSISI:
        return FOLLOW_UP_DAYS
    if status == ReportStatus.DIPROSES:
        return {
            ReportType.ASPIRASI: RESOLVE_ASPIRASI_DAYS,
            ReportType.PERMINTAAN_INFORMASI: RESOLVE_INFORMASI_DAYS,
        }.get(report_type, RESOLVE_PENGADUAN_DAYS)
    if status == ReportStatus.SELESAI:
        return AUTO_CLOSE_DAYS
    return None
