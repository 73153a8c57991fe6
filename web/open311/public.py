"""A report as the public sees it through Open311: nothing about who reported it, and the
reporter's own words (description, address detail, GPS point, photo) only once the unit has
verified the report and while publication is on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from core.categories import Category, category_by_code
from core.open311 import PUBLIC_NOTE_EVENTS, VERIFIED_EVENT, is_listed, open311_status
from core.places import shown_point
from core.redaction import redact
from core.regions import RegionDirectory, place_name
from locales import Translator
from storage.models import Report
from storage.open311 import Open311Repository


@dataclass(frozen=True)
class PublicContext:
    """What the items of one response share."""

    tr: Translator
    regions: RegionDirectory
    categories: tuple[Category, ...]
    timezone: ZoneInfo
    publish: bool
    base_url: str
    verified: set[int] = field(default_factory=set)
    notes: dict[int, str] = field(default_factory=dict)
    photos: set[int] = field(default_factory=set)
    units: dict[int, str] = field(default_factory=dict)
    #: Per report: how its reporter is named (name, username, user id), kept out of public text.
    identities: dict[int, tuple[str, ...]] = field(default_factory=dict)


def iso(moment: datetime, tz: ZoneInfo) -> str:
    """ISO 8601 with the region's offset: ``2026-03-02T09:00:00+08:00``."""
    return moment.astimezone(tz).isoformat(timespec="seconds")


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """A deadline is the last day to act: its end, in the region's zone."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def service_name(categories: tuple[Category, ...], code: str, language: str) -> str:
    category = category_by_code(categories, code)
    if category is None:
        return code
    return category.name_en if language == "en" else category.name_id


def service_notice(tr: Translator, report: Report) -> str:
    """The deadline in words: which stage, and its last day."""
    if report.due_date is None:
        return ""
    day = format_date(report.due_date, format="full", locale=tr.language)
    return tr.t(f"open311.notice.{report.status}", date=day)


def public_item(ctx: PublicContext, report: Report) -> dict[str, Any]:
    """One ``request`` in the spec's field order."""
    shown = ctx.publish and report.id in ctx.verified
    identity = ctx.identities.get(report.citizen_id, ())
    mask = ctx.tr.t("open311.hidden")

    def public(text: str) -> str:
        return redact(text, identity, mask) if shown else ""

    where = place_name(ctx.regions, report.region_code)
    if shown and report.address_detail:
        where = f"{public(report.address_detail)}, {where}"
    # Open311 is outside every unit: an anonim or rahasia report's point is rounded (core.places).
    point = shown_point(report.latitude, report.longitude, report.privacy, insider=False)
    if not shown:
        point = None
    expected = end_of_day(report.due_date, ctx.timezone) if report.due_date else None
    return {
        "service_request_id": report.tracking_no,
        "status": open311_status(report.status).value,
        "status_notes": public(ctx.notes.get(report.id, "")),
        "service_name": service_name(ctx.categories, report.category, ctx.tr.language),
        "service_code": report.category,
        "description": public(report.description),
        "agency_responsible": ctx.units.get(report.unit_id, "") if report.unit_id else "",
        "service_notice": service_notice(ctx.tr, report),
        "requested_datetime": iso(report.created_at, ctx.timezone),
        "updated_datetime": iso(report.updated_at, ctx.timezone),
        "expected_datetime": iso(expected, ctx.timezone) if expected else None,
        "address": where,
        "address_id": report.region_code,
        "zipcode": None,
        "lat": point[0] if point else None,
        "long": point[1] if point else None,
        "media_url": (
            f"{ctx.base_url}media/{report.tracking_no}"
            if shown and report.id in ctx.photos
            else None
        ),
    }


async def public_items(
    repo: Open311Repository,
    reports: Sequence[Report],
    *,
    tr: Translator,
    regions: RegionDirectory,
    categories: tuple[Category, ...],
    timezone: ZoneInfo,
    publish: bool,
    base_url: str,
) -> list[dict[str, Any]]:
    """The listed (``biasa``) ones of ``reports`` as the public sees them: the Open311 API's
    requests and the console's public page (``/publik``) both read them here."""
    listed = [r for r in reports if is_listed(r.privacy)]
    ids = [r.id for r in listed]
    ctx = PublicContext(
        tr=tr,
        regions=regions,
        categories=categories,
        timezone=timezone,
        publish=publish,
        base_url=base_url,
        verified=await repo.verified(ids, VERIFIED_EVENT) if publish else set(),
        notes=await repo.last_notes(ids, PUBLIC_NOTE_EVENTS) if publish else {},
        photos=set(await repo.stored_photos(ids)) if publish else set(),
        units=await repo.unit_names({r.unit_id for r in listed if r.unit_id}),
        identities=await repo.identities({r.citizen_id for r in listed}) if publish else {},
    )
    return [public_item(ctx, report) for report in listed]
