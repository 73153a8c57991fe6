"""The clock's rules: working days beyond lokal-id's years, stage deadlines by class, and the
agenda of reminders, escalations and auto-close."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.calendar import WorkingCalendar
from core.categories import load_categories
from core.deadlines import DeadlinePolicy, Notice, first_notice_on, notice_due
from core.lifecycle import ReportStatus, ReportType

CAL = WorkingCalendar()
POLICY = DeadlinePolicy()
S = ReportStatus


def test_years_lokal_does_not_cover_use_the_holidays_package_with_moving_holidays() -> None:
    assert CAL.source_of(2026) == "lokal-id"
    assert CAL.source_of(2028) == "holidays"
    # Idulfitri 1449 H falls on 26-28 February 2028 (the package's estimate: 27 and 28).
    assert not CAL.is_working_day(date(2028, 2, 28))  # a Monday
    # Friday 25 February 2028 + 3 working days: Tuesday 29, Wednesday 1, Thursday 2 March.
    assert CAL.add_working_days(date(2028, 2, 25), 3) == date(2028, 3, 2)
    # Fixed-date holidays hold too: Kemerdekaan on a Thursday.
    assert not CAL.is_working_day(date(2028, 8, 17))


def test_local_holidays_from_configuration_are_days_off() -> None:
    anniversary = date(2028, 10, 12)  # a Thursday
    assert CAL.is_working_day(anniversary)
    assert not WorkingCalendar(extra_holidays=[anniversary]).is_working_day(anniversary)


def test_friday_before_a_long_weekend() -> None:
    # Friday 13 Feb 2026: Monday 16 cuti bersama, Tuesday 17 Imlek.
    assert CAL.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 20)
    assert CAL.previous_working_day(date(2026, 2, 18)) == date(2026, 2, 13)


@pytest.mark.parametrize(
    ("status", "kind", "pengawasan", "days"),
    [
        (S.BARU, ReportType.PENGADUAN, False, 3),
        (S.DIDISPOSISI, ReportType.PENGADUAN, False, 5),
        (S.DIPROSES, ReportType.ASPIRASI, False, 5),
        (S.DIPROSES, ReportType.PERMINTAAN_INFORMASI, False, 5),
        (S.DIPROSES, ReportType.PENGADUAN, False, 14),
        (S.DIPROSES, ReportType.PENGADUAN, True, 60),
        (S.SELESAI, ReportType.PENGADUAN, False, 10),
        (S.MENUNGGU_PELAPOR, ReportType.PENGADUAN, False, None),
        (S.DIARSIPKAN, ReportType.PENGADUAN, False, None),
    ],
)
def test_stage_days_by_status_and_class(
    status: ReportStatus, kind: ReportType, pengawasan: bool, days: int | None
) -> None:
    assert POLICY.stage_days(status, kind, pengawasan=pengawasan) == days


def test_every_number_is_a_setting_and_must_be_positive() -> None:
    assert DeadlinePolicy(resolve_pengaduan=20).stage_days(S.DIPROSES, ReportType.PENGADUAN) == 20
    with pytest.raises(ValueError, match="verify"):
        DeadlinePolicy(verify=0)


def test_the_inspectorate_category_is_berkadar_pengawasan() -> None:
    flagged = {c.code for c in load_categories() if c.pengawasan}
    assert flagged == {"aparatur"}


def _agenda(status: ReportStatus, due: date, start: date, end: date) -> list[tuple[date, Notice]]:
    """Walk day by day as the clock would, following ``next_on``; the notices it sends."""
    sent: list[tuple[date, Notice]] = []
    next_on = first_notice_on(status, due, start, CAL)
    day = start
    while next_on is not None and day <= end:
        if day >= next_on:
            result = notice_due(status, due, day, CAL, POLICY)
            if result.notice is not None:
                sent.append((day, result.notice))
            assert result.next_on is None or result.next_on > day
            next_on = result.next_on
        day += timedelta(days=1)
    return sent


def test_reminders_then_escalations_every_two_working_days() -> None:
    due = date(2026, 2, 20)  # Friday; the Monday before it is cuti bersama
    sent = _agenda(S.BARU, due, date(2026, 2, 13), date(2026, 3, 4))
    assert sent == [
        (date(2026, 2, 19), Notice.BEFORE),
        (date(2026, 2, 20), Notice.DAY),
        (date(2026, 2, 23), Notice.ESCALATE),
        (date(2026, 2, 25), Notice.ESCALATE),
        (date(2026, 2, 27), Notice.ESCALATE),
        (date(2026, 3, 3), Notice.ESCALATE),
    ]
    levels = [notice_due(S.BARU, due, d, CAL, POLICY).level for d, _ in sent[2:]]
    assert levels == [1, 2, 3, 4]


def test_a_jump_over_days_sends_the_notice_that_fits_today_once() -> None:
    due = date(2026, 2, 20)
    late = notice_due(S.DIPROSES, due, date(2026, 3, 2), CAL, POLICY)
    assert late.notice == Notice.ESCALATE
    assert late.late_days == 6
    assert late.level == 3
    assert late.next_on == date(2026, 3, 3)  # level 4 at 7 late working days


def test_no_unit_notice_on_days_off() -> None:
    result = notice_due(S.BARU, date(2026, 2, 20), date(2026, 2, 21), CAL, POLICY)
    assert result.notice is None
    assert result.next_on == date(2026, 2, 23)


def test_no_day_before_reminder_when_that_day_is_the_first_day_of_the_stage() -> None:
    assert first_notice_on(S.BARU, date(2026, 2, 20), date(2026, 2, 19), CAL) == date(2026, 2, 20)


def test_selesai_closes_the_day_after_its_quiet_period_on_any_day() -> None:
    due = date(2026, 5, 20)
    assert first_notice_on(S.SELESAI, due, date(2026, 5, 4), CAL) == date(2026, 5, 21)
    assert notice_due(S.SELESAI, due, due, CAL, POLICY).notice is None
    assert notice_due(S.SELESAI, due, date(2026, 5, 23), CAL, POLICY).notice == Notice.AUTO_CLOSE


def test_paused_and_archived_reports_have_no_agenda() -> None:
    for status in (S.MENUNGGU_PELAPOR, S.DIARSIPKAN):
        assert first_notice_on(status, date(2026, 2, 20), date(2026, 2, 13), CAL) is None
        assert notice_due(status, date(2026, 2, 20), date(2026, 2, 23), CAL, POLICY).notice is None
