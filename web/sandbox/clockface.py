"""How the sandbox page writes its clock's time: as Indonesians write it.

A day as ``Senin, 30 November 2026`` (no leading zero on the day), a time as ``05.57`` with a
dot, and the zone's name after a time that stands alone (``05.57 WITA``). The English page
keeps the same order and writes the time with a colon (``05:57``), as English readers expect.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date

DAY_PATTERN = "EEEE, d MMMM y"
TIME_SEPARATOR = {"id": ".", "en": ":"}


def day_label(day: date, language: str) -> str:
    """``Senin, 30 November 2026`` / ``Monday, 30 November 2026``."""
    return format_date(day, DAY_PATTERN, locale=language)


def time_label(moment: datetime, language: str) -> str:
    """``05.57`` (``05:57`` in English), in ``moment``'s own zone."""
    return f"{moment:%H}{TIME_SEPARATOR.get(language, '.')}{moment:%M}"


def clock_label(moment: datetime, language: str) -> str:
    """The bar's clock: ``Senin, 30 November 2026 05.57 WITA``."""
    zone = moment.tzname() or ""
    return f"{day_label(moment.date(), language)} {time_label(moment, language)} {zone}".strip()


def stamp(moment: datetime, language: str) -> dict[str, str]:
    """What the page writes on a message: its time, and the day for the separator above it."""
    return {"time": time_label(moment, language), "day": day_label(moment.date(), language)}
