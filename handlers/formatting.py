"""Dates, places and labels as a citizen reads them, in their language and the region's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from core.categories import Category, category_by_code
from core.regions import RegionDirectory


def long_date(value: date, language: str) -> str:
    """``Rabu, 25 November 2026``."""
    return format_date(value, format="full", locale=language)


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


def place_name(regions: RegionDirectory, code: str) -> str:
    """``Desa, Kecamatan`` (and the kabupaten in a province deployment) for a desa code."""
    names: list[str] = []
    current = code
    while current and regions.contains(current) and current != regions.root.code:
        region = regions.get(current)
        if region is None:
            break
        names.append(f"Kec. {region.name}" if region.level == 3 else region.name)
        current = current.rsplit(".", 1)[0] if "." in current else ""
    return ", ".join(names) if names else code
