"""Working days (hari kerja) of Indonesian government offices.

For years that lokal-id covers (the SKB 3 Menteri data: libur nasional and cuti bersama) the days
off are exactly lokal's. For other years the national holidays come from the ``holidays`` package
(its Indonesia calendar: fixed-date holidays and the moving religious ones — Idulfitri, Iduladha,
Nyepi, Waisak, Imlek, Isra Mikraj, ... — some of them estimated from the lunar calendar). Cuti
bersama is decided each year by an SKB and is not known there, so in such years it counts as a
working day; a deployment adds it with ``extra_holidays`` once it is announced. Should the package
lack a year, the fixed-date national holidays (1 Januari, 1 Mei, 1 Juni, 17 Agustus, 25 Desember)
are the last resort. Local holidays (e.g. the kabupaten's anniversary) come from configuration as
``extra_holidays``.

The module is named ``core.calendar``; import it as ``from core.calendar import WorkingCalendar``.
"""

from collections.abc import Iterable
from datetime import date, timedelta

import holidays
import lokal

#: (month, day) of national holidays with a fixed date, used for years lokal does not cover.
FIXED_NATIONAL_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, 1), (5, 1), (6, 1), (8, 17), (12, 25)}
)
_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


def _lokal_years() -> frozenset[int]:
    """Years for which lokal has official holiday data (asks lokal, does not assume)."""
    candidates: Iterable[int] = getattr(lokal, "HOLIDAY_YEARS", range(2000, 2101))
    years: set[int] = set()
    for year in candidates:
        try:
            data = lokal.get_holidays(year)
        except ValueError:
            continue
        if data.holidays:
            years.add(int(year))
    return frozenset(years)


class WorkingCalendar:
    """Indonesian working-day calendar: Monday–Friday minus national holidays, cuti bersama
    (unless ``cuti_bersama=False``) and the configured local holidays (libur daerah)."""

    def __init__(self, extra_holidays: Iterable[date] = (), *, cuti_bersama: bool = True) -> None:
        self._extra = frozenset(extra_holidays)
        self._cuti_bersama = cuti_bersama
        self._covered = _lokal_years()
        self._days_off: dict[int, frozenset[date]] = {}

    @property
    def covered_years(self) -> frozenset[int]:
        """Years with full holiday data from lokal; other years use the fixed-date fallback."""
        return self._covered

    @property
    def cuti_bersama(self) -> bool:
        """Whether cuti bersama counts as a day off (true for government offices)."""
        return self._cuti_bersama

    def holidays_in(self, year: int) -> frozenset[date]:
        """Weekday-independent days off in ``year``: national, cuti bersama and local holidays."""
        days = self._days_off.get(year)
        if days is None:
            days = self._national_days_off(year) | {d for d in self._extra if d.year == year}
            self._days_off[year] = days
        return days

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day (hari kerja)."""
        return d.weekday() < _SATURDAY and d not in self.holidays_in(d.year)

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d``; for n = 0, ``d`` itself or the next working day."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            return self.next_working_day(d)
        left = n
        while left:
            d += _ONE_DAY
            if self.is_working_day(d):
                left -= 1
        return d

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        d -= _ONE_DAY
        while not self.is_working_day(d):
            d -= _ONE_DAY
        return d

    def source_of(self, year: int) -> str:
        """Where the national holidays of ``year`` come from: "lokal-id", "holidays" or "fixed"."""
        if year in self._covered:
            return "lokal-id"
        return "holidays" if _package_holidays(year) else "fixed"

    def next_working_day(self, d: date) -> date:
        """``d`` if it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many have passed since ``start`` (0 if end <= start).

        For a working day ``end``: ``add_working_days(start, working_days_between(start, end))``
        is ``end``.
        """
        count = 0
        d = start
        while d < end:
            d += _ONE_DAY
            if self.is_working_day(d):
                count += 1
        return count

    def _national_days_off(self, year: int) -> frozenset[date]:
        if year not in self._covered:
            return _package_holidays(year) or frozenset(
                date(year, month, day) for month, day in FIXED_NATIONAL_HOLIDAYS
            )
        return frozenset(
            date.fromisoformat(holiday.date)
            for holiday in lokal.get_holidays(year).holidays
            if holiday.type == "libur_nasional" or self._cuti_bersama
        )


def _package_holidays(year: int) -> frozenset[date]:
    """Indonesia's national holidays of ``year`` from the ``holidays`` package (may be empty)."""
    try:
        days = holidays.country_holidays("ID", years=year)
    except (NotImplementedError, KeyError):  # pragma: no cover - a package without Indonesia
        return frozenset()
    return frozenset(day for day in days if day.year == year)
