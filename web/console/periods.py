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
