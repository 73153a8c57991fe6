"""Dates, places and labels as a citizen reads them, in their language and the region's zone."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from core.categories import Category, category_by_code
from core.regions import place_name as place_name
from core.regions import region_label as region_label

#: A date as people here write it: ``Rabu, 2 Desember 2026`` (no leading zero on the day; CLDR's
#: full Indonesian pattern has one), and in English day before month like the sandbox page:
#: ``Wednesday, 2 December 2026``.
_LONG_DATE = "EEEE, d MMMM y"
#: Indonesians separate hours and minutes with a dot; English readers expect a colon.
_CLOCK = {"id": "HH.mm"}


def _clock(language: str) -> str:
    return _CLOCK.get(language, "HH:mm")


@lru_cache(maxsize=4096)
def long_date(value: date, language: str) -> str:
    """``Rabu, 2 Desember 2026`` (``Wednesday, 2 December 2026`` in English). Kept per day and
    language: a card and its notices name the same few deadlines again and again (a bulk
    transfer: five a report), and babel's formatting is costly."""
    return format_date(value, format=_LONG_DATE, locale=language)


def clock_time(value: datetime, tz: ZoneInfo, language: str = "id") -> str:
    """``05.57 WITA`` (``05:57 WITA`` in English): the time in the region's zone."""
    local = value.astimezone(tz)
    stamp = format_datetime(local, format=_clock(language), locale=language)
    return f"{stamp} {local.tzname() or ''}".strip()


@lru_cache(maxsize=4096)
def short_datetime(value: datetime, tz: ZoneInfo, language: str) -> str:
    """``23 Nov 2026 14.05 WITA``-like (``14:05`` in English), in the region's zone. Kept per
    moment, zone and language: a transfer's three cards write the same filing time (equal
    moments in other zones are the same key, and give the same text)."""
    local = value.astimezone(tz)
    stamp = format_datetime(local, format=f"d MMM yyyy {_clock(language)}", locale=language)
    return f"{stamp} {local.tzname() or ''}".strip()


def short_date(value: datetime, tz: ZoneInfo, language: str) -> str:
    """``23 Nov 2026``: the day only, in the region's zone (where the time of day is not told)."""
    return format_date(value.astimezone(tz).date(), format="d MMM yyyy", locale=language)


def category_name(categories: tuple[Category, ...], code: str, language: str) -> str:
    category = category_by_code(categories, code)
    if category is None:
        return code
    return category.name_en if language == "en" else category.name_id
