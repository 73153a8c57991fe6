"""Dates, places and labels as a citizen reads them, in their language and the region's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from core.categories import Category, category_by_code
from core.regions import place_name as place_name
from core.regions import region_label as region_label

#: How Indonesians write a date: ``Rabu, 2 Desember 2026`` (no leading zero on the day; CLDR's
#: full Indonesian pattern has one).
_LONG_DATE = {"id": "EEEE, d MMMM y"}


def long_date(value: date, language: str) -> str:
    """``Rabu, 2 Desember 2026`` (``Wednesday, December 2, 2026`` in English)."""
    return format_date(value, format=_LONG_DATE.get(language, "full"), locale=language)


def clock_time(value: datetime, tz: ZoneInfo) -> str:
    """``05.57 WITA``: the time in the region's zone, as Indonesians write it."""
    local = value.astimezone(tz)
    return f"{local:%H.%M} {local.tzname() or ''}".strip()


def short_datetime(value: datetime, tz: ZoneInfo, language: str) -> str:
    """``23 Nov 2026 14.05 WITA``-like, in the region's zone."""
    local = value.astimezone(tz)
    stamp = format_datetime(local, format="d MMM yyyy HH.mm", locale=language)
    return f"{stamp} {local.tzname() or ''}".strip()


def short_date(value: datetime, tz: ZoneInfo, language: str) -> str:
    """``23 Nov 2026``: the day only, in the region's zone (where the time of day is not told)."""
    return format_date(value.astimezone(tz).date(), format="d MMM yyyy", locale=language)


def category_name(categories: tuple[Category, ...], code: str, language: str) -> str:
    category = category_by_code(categories, code)
    if category is None:
        return code
    return category.name_en if language == "en" else category.name_id
