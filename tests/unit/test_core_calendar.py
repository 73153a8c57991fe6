"""Working calendar and deadlines against lokal-id's real holiday data."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import lokal
import pytest

from core.calendar import WorkingCalendar
from core.deadlines import due_date, local_date, verification_due

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


def test_covered_years_come_from_lokal(calendar: WorkingCalendar) -> None:
    assert {2026, 2027} <= calendar.covered_years
    for year in calendar.covered_years:
        assert lokal.get_holidays(year).holidays
    assert 2028 not in calendar.covered_years


def test_nyepi_and_lebaran_2026(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 25)


def test_friday_before_a_weekend(calendar: WorkingCalendar) -> None:
    friday = date(2026, 2, 6)
    assert calendar.is_working_day(friday)
    assert calendar.add_working_days(friday, 1) == date(2026, 2, 9)
    assert calendar.add_working_days(friday, 3) == date(2026, 2, 11)


def test_zero_days(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(date(2026, 2, 6), 0) == date(2026, 2, 6)
    assert calendar.add_working_days(date(2026, 2, 7), 0) == date(2026, 2, 9)  # Saturday
    assert calendar.add_working_days(date(2026, 3, 18), 0) == date(2026, 3, 25)


def test_negative_days_rejected(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match=">= 0"):
        calendar.add_working_days(date(2026, 2, 6), -1)


def test_extra_local_holiday() -> None:
    hut_kutim = date(2026, 10, 12)  # a Monday; stands for the kabupaten's anniversary
    local = WorkingCalendar([hut_kutim])
    assert not local.is_working_day(hut_kutim)
    assert local.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 13)
    assert WorkingCalendar().add_working_days(date(2026, 10, 9), 1) == hut_kutim


def test_cuti_bersama_setting() -> None:
    cuti = date(2026, 3, 18)  # cuti bersama Nyepi, a Wednesday
    assert not WorkingCalendar().is_working_day(cuti)
    assert WorkingCalendar(cuti_bersama=False).is_working_day(cuti)
    assert not WorkingCalendar(cuti_bersama=False).is_working_day(date(2026, 3, 19))


@pytest.mark.parametrize("cuti_bersama", [True, False])
def test_agrees_with_lokal_every_covered_day(cuti_bersama: bool) -> None:
    calendar = WorkingCalendar(cuti_bersama=cuti_bersama)
    for year in sorted(calendar.covered_years):
        day = date(year, 1, 1)
        while day.year == year:
            expected = lokal.is_working_day(day, cuti_bersama=cuti_bersama)
            assert calendar.is_working_day(day) is expected, day
            day += timedelta(days=1)


def test_agrees_with_lokal_add_working_days(calendar: WorkingCalendar) -> None:
    start = date(2026, 1, 1)
    for offset in range(0, 700, 7):
        day = start + timedelta(days=offset)
        for n in (1, 3, 5, 14):
            expected = lokal.add_working_days(day, n)
            if expected.year in calendar.covered_years:
                assert calendar.add_working_days(day, n) == expected, (day, n)


def test_2028_falls_back_to_weekends_and_fixed_holidays(calendar: WorkingCalendar) -> None:
    assert not calendar.is_working_day(date(2028, 8, 17))  # Thursday, Proklamasi
    assert not calendar.is_working_day(date(2028, 1, 1))
    assert not calendar.is_working_day(date(2028, 5, 1))
    assert not calendar.is_working_day(date(2028, 6, 1))
    assert not calendar.is_working_day(date(2028, 12, 25))
    assert calendar.is_working_day(date(2028, 8, 18))
    assert calendar.add_working_days(date(2028, 8, 16), 1) == date(2028, 8, 18)
    assert calendar.add_working_days(date(2028, 8, 18), 1) == date(2028, 8, 21)


def test_crossing_into_an_uncovered_year(calendar: WorkingCalendar) -> None:
    # Thu 30 Dec 2027 → Fri 31 Dec, then Mon 3 Jan 2028 (1 Jan 2028 is a Saturday)
    assert calendar.add_working_days(date(2027, 12, 30), 2) == date(2028, 1, 3)


def test_working_days_between(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_between(date(2026, 3, 17), date(2026, 3, 25)) == 1
    assert calendar.working_days_between(date(2026, 3, 25), date(2026, 3, 17)) == 0
    start = date(2026, 5, 4)
    for n in range(0, 30):
        end = calendar.add_working_days(start, n)
        assert calendar.working_days_between(start, end) == n


def test_verification_due_uses_local_date(calendar: WorkingCalendar) -> None:
    # 16:30 UTC Friday is 00:30 WITA Saturday: the clock starts from Saturday's date
    late_friday_utc = datetime(2026, 2, 6, 16, 30, tzinfo=UTC)
    assert local_date(late_friday_utc, WITA) == date(2026, 2, 7)
    assert verification_due(late_friday_utc, calendar, WITA) == date(2026, 2, 11)
    early_friday_utc = datetime(2026, 2, 6, 8, 0, tzinfo=UTC)
    assert verification_due(early_friday_utc, calendar, WITA) == date(2026, 2, 11)
    tuesday = datetime(2026, 2, 3, 9, 0, tzinfo=WITA)
    assert verification_due(tuesday, calendar, WITA) == date(2026, 2, 6)
    assert verification_due(tuesday, calendar, WITA, days=5) == date(2026, 2, 10)


def test_verification_due_over_lebaran(calendar: WorkingCalendar) -> None:
    submitted = datetime(2026, 3, 17, 10, 0, tzinfo=WITA)
    assert verification_due(submitted, calendar, WITA) == date(2026, 3, 27)
    # 25,26,27,30,31 Mar, 1,2 Apr, (3 Apr Wafat Yesus Kristus), 6–10, 13, 14 Apr
    assert due_date(submitted, calendar, WITA, 14) == date(2026, 4, 14)


def test_naive_datetime_rejected(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verification_due(datetime(2026, 2, 3, 9, 0), calendar, WITA)
