"""The periods the console offers by name (``?periode=``): this and last month, quarter
(triwulan), half-year (semester) and year, and the last 30 days. A period in progress ends today;
a past one is whole, as the monthly, quarterly and half-yearly reports to the Bupati count them."""

from __future__ import annotations

from datetime import date, timedelta

#: The shortcuts in the order the period menu lists them.
SHORTCUTS = (
    "bulan",
    "bulan_lalu",
    "30",
    "triwulan",
    "triwulan_lalu",
    "semester",
    "semester_lalu",
    "tahun",
    "tahun_lalu",
)
#: The months in a calendar month, a triwulan, a semester and a year.
_SPANS = {"bulan": 1, "triwulan": 3, "semester": 6, "tahun": 12}


def _start(today: date, months: int) -> date:
    """The first day of the span of ``months`` holding ``today`` (spans start in January)."""
    return date(today.year, (today.month - 1) // months * months + 1, 1)


def shortcut(key: str, today: date) -> tuple[date, date] | None:
    """The first and last day of the shortcut ``key`` on ``today`` (None: not a shortcut)."""
    if key not in SHORTCUTS:
        return None
    if key == "30":
        return today - timedelta(days=29), today
    name, _, past = key.partition("_")
    months = _SPANS[name]
    first = _start(today, months)
    if not past:
        return first, today
    last = first - timedelta(days=1)
    return _start(last, months), last


def _months_back(day: date, months: int) -> date:
    """``day`` ``months`` calendar months earlier, its day of the month kept where that month
    has it (else that month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    first = date(year, month + 1, 1)
    end = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first.replace(day=min(day.day, end.day))


def _is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def previous(first: date, last: date) -> tuple[date, date]:
    """The period a period is compared with. A period starting on the 1st (a month, triwulan,
    semester or year, whole or still running) is compared with the same days of the months
    before it (this month so far, 1–7 December, with 1–7 November; November with October; a
    triwulan with the one before); any other with the as many days just before it."""
    if first.day == 1:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        before_last = _months_back(last, months)
        if _is_month_end(last):
            following = _months_back(last.replace(day=1), months - 1)
            before_last = following - timedelta(days=1)
        return _months_back(first, months), before_last
    days = (last - first).days + 1
    return first - timedelta(days=days), first - timedelta(days=1)
