"""Dates, places and labels as a citizen reads them, in their language and the region's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from core.categories import Category, category_by_code
from core.regions import Region, RegionDirectory

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


def category_name(categories: tuple[Category, ...], code: str, language: str) -> str:
    category = category_by_code(categories, code)
    if category is None:
        return code
    return category.name_en if language == "en" else category.name_id


#: The kind of place before its name, as it is written on a letter: ``Desa Sepaso``,
#: ``Kelurahan Singa Geweh``, ``Kec. Bengalon``. These are the places' official designations,
#: the same in every language. Kabupaten and kota names already carry theirs.
_KIND_PREFIX = {
    "desa": "Desa",
    "kelurahan": "Kelurahan",
    "desa_adat": "Desa Adat",
    "kecamatan": "Kec.",
    "distrik": "Distrik",
}


def region_label(region: Region) -> str:
    """One place with its kind: ``Desa Sepaso``, ``Kelurahan Teluk Lingga``, ``Kec. Bengalon``."""
    prefix = _KIND_PREFIX.get(region.kind, "")
    if not prefix or region.name.lower().startswith(prefix.lower() + " "):
        return region.name
    return f"{prefix} {region.name}"


def place_name(regions: RegionDirectory, code: str) -> str:
    """``Desa X, Kec. Y`` (and the kabupaten in a province deployment) for a desa code."""
    names: list[str] = []
    current = code
    while current and regions.contains(current) and current != regions.root.code:
        region = regions.get(current)
        if region is None:
            break
        names.append(region_label(region))
        current = current.rsplit(".", 1)[0] if "." in current else ""
    return ", ".join(names) if names else code
