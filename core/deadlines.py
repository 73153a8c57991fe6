"""Deadlines (tenggat) in working days, and the reminder engine's agenda: which notice a report
is owed on a given day (reminder, escalation, auto-close) and when the next one falls.

Defaults follow docs/domain.md (SP4N-LAPOR! FAQ; PermenPAN-RB 62/2018 as summarised by provincial
Diskominfo material). They are defaults only: every number is a setting (:class:`DeadlinePolicy`),
and this module is the one source of each default (``runtime.settings`` and ``handlers.deps`` read
them from here).

All dates here are local calendar dates in the region's zone; a deadline is the last day to act.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from core.calendar import WorkingCalendar
from core.lifecycle import UNIT_STAGES as UNIT_STAGES  # the unit's stages, from the table
from core.lifecycle import Clock, ReportStatus, ReportType, clock

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
#: Unresolved this long after submission, the reporter may take it to Ombudsman RI.
OMBUDSMAN_DAYS: Final = 60
#: An escalation is repeated every this many working days while the report stays late.
ESCALATION_EVERY_DAYS: Final = 2
#: Local time from which the day's reminders, escalations and digests go out.
MORNING: Final = time(7, 30)
#: The morning summary ("Ringkasan pagi") goes out only before this local time: a bot started or
#: back later in the day sends the day's reminders, and the summary the next working morning.
DIGEST_UNTIL: Final = time(12, 0)
#: How long a group binding code (``/daftar CODE``) stays valid, in hours.
BINDING_CODE_HOURS: Final = 48
BINDING_CODE_TTL: Final = timedelta(hours=BINDING_CODE_HOURS)


@dataclass(frozen=True)
class DeadlinePolicy:
    """Every number of the reminder engine, in working days."""

    verify: int = VERIFY_DAYS
    follow_up: int = FOLLOW_UP_DAYS
    resolve_aspirasi: int = RESOLVE_ASPIRASI_DAYS
    resolve_informasi: int = RESOLVE_INFORMASI_DAYS
    resolve_pengaduan: int = RESOLVE_PENGADUAN_DAYS
    resolve_pengawasan: int = RESOLVE_PENGAWASAN_DAYS
    auto_close: int = AUTO_CLOSE_DAYS
    ombudsman: int = OMBUDSMAN_DAYS
    escalation_every: int = ESCALATION_EVERY_DAYS

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value < 1:
                raise ValueError(f"{name} must be at least 1 working day, got {value}")

    def stage_days(
        self, status: ReportStatus, report_type: ReportType, *, pengawasan: bool = False
    ) -> int | None:
        """Working days for the stage a report has just entered (its clock in the lifecycle's
        stage table); None: no clock runs."""
        kind = clock(status)
        if kind == Clock.VERIFY:
            return self.verify
        if kind == Clock.FOLLOW_UP:
            return self.follow_up
        if kind == Clock.RESOLVE:
            if report_type == ReportType.ASPIRASI:
                return self.resolve_aspirasi
            if report_type == ReportType.PERMINTAAN_INFORMASI:
                return self.resolve_informasi
            return self.resolve_pengawasan if pengawasan else self.resolve_pengaduan
        if kind == Clock.QUIET:
            return self.auto_close
        return None


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


# --- the agenda ------------------------------------------------------------------------------


class Notice(StrEnum):
    """What the reminder engine owes a report on a day."""

    BEFORE = "before"  # reminder to the holder: the deadline is the next working day
    DAY = "day"  # reminder to the holder: the deadline is today
    ESCALATE = "escalate"  # late: the parent unit and the coordinator are told
    AUTO_CLOSE = "close"  # ``selesai`` and the reporter stayed silent: close for good


@dataclass(frozen=True)
class Due:
    """The notice owed today (``notice`` None: nothing yet) and the day to look again."""

    notice: Notice | None
    next_on: date | None
    level: int = 0  # escalation level (1 = first escalation)
    late_days: int = 0  # working days past the deadline


def first_notice_on(
    status: ReportStatus, due: date | None, start: date, cal: WorkingCalendar
) -> date | None:
    """When the reminder engine should first look at a report whose stage (with deadline
    ``due``) began on ``start``. The day-before reminder is skipped when that day is the
    stage's first day."""
    if due is None:
        return None
    if status == ReportStatus.SELESAI:
        return due + timedelta(days=1)
    if status not in UNIT_STAGES:
        return None
    before = cal.previous_working_day(due)
    return before if before > start else due


def notice_due(
    status: ReportStatus,
    due: date | None,
    today: date,
    cal: WorkingCalendar,
    policy: DeadlinePolicy,
) -> Due:
    """The notice a report in ``status`` with deadline ``due`` is owed on ``today``.

    Unit stages are looked at on working days only: the day before the deadline (reminder), the
    day itself (reminder), then the first working day after it and every ``escalation_every``
    working days later (escalation, numbered). A day jumped over is not replayed: the notice is
    the one that fits ``today`` (a reminder that came too late becomes the escalation).
    ``selesai`` closes for good on any day after its quiet period.
    """
    if due is None:
        return Due(None, None)
    if status == ReportStatus.SELESAI:
        if today > due:
            return Due(Notice.AUTO_CLOSE, None)
        return Due(None, due + timedelta(days=1))
    if status not in UNIT_STAGES:
        return Due(None, None)
    if not cal.is_working_day(today):
        return Due(None, cal.next_working_day(today))
    if today < due:
        before = cal.previous_working_day(due)
        if today >= before:
            return Due(Notice.BEFORE, due)
        return Due(None, before)
    if today == due:
        return Due(Notice.DAY, cal.add_working_days(due, 1))
    late = cal.working_days_between(due, today)
    level = 1 + (late - 1) // policy.escalation_every
    next_on = cal.add_working_days(due, 1 + level * policy.escalation_every)
    return Due(Notice.ESCALATE, next_on, level=level, late_days=late)
