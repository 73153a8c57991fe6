"""What a console address asks for, checked: the period, the report list's filters and the page
number. A value the console does not know is a 400 that says which; a unit outside the viewer's
reach is a 403, written to the audit log."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from core.lifecycle import ReportStatus, ReportType
from core.regions import (
    LEVEL_DISTRICT,
    LEVEL_REGENCY,
    LEVEL_VILLAGE,
    RegionDirectory,
    place_name,
)
from core.search import search_words
from core.tracking import TrackingCheck, parse_tracking_number
from storage.console import ORDERS, ReportQuery
from web.console import queries
from web.console.audit import refuse
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.context import Refusal
from web.console.periods import shortcut

MAX_PAGE = 100_000
#: The days a period may name: outside them no report exists and date arithmetic would overflow.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
_TRACKING_SYMBOLS = re.compile(r"[^0-9A-Z]")
#: A place name longer than this is no place name; the search is not run on it.
_AREA_TEXT = 60
#: The list's filters, kept in its links, pages and exports.
KEPT = (
    "cari",
    "status",
    "klas",
    "kategori",
    "unit",
    "wilayah",
    "terlambat",
    "nomor",
    "urut",
    "ditangani",
)
#: A person's user id in the assignee filter (``ditangani``), or "-" for nobody.
_ASSIGNEE = re.compile(r"-|[0-9]{1,20}")


class FilterChoice(Refusal):
    """A filter that fits several things: the list's form again, with each as a link."""

    def __init__(self, key: str, choices: list[tuple[str, str]], **values: object) -> None:
        super().__init__(400, key, **values)
        self.choices = choices


@dataclass(frozen=True)
class Area:
    """What the area filter was taken as: a region's code and its name with its kecamatan."""

    code: str
    name: str


def area_of(regions: RegionDirectory, typed: str) -> Area:
    """The region a typed area stands for: a Kemendagri code inside the deployment, or a
    kecamatan or desa (a kabupaten too in a province) by name, found as the bot finds a typed
    place (case, prefixes, typos). Several fits are a :class:`FilterChoice`; none, a 400."""
    text = typed.strip()[:_AREA_TEXT]
    found = regions.get(text) if regions.contains(text) else None
    if found is not None:
        return Area(found.code, place_name(regions, found.code))
    levels: tuple[int, ...] = (LEVEL_DISTRICT, LEVEL_VILLAGE)
    if regions.is_province:
        levels = (LEVEL_REGENCY, *levels)
    matches = regions.search_places(text, within=regions.root.code, levels=levels, limit=8)
    if not matches:
        raise Refusal(400, "console.error.unknown_area", value=text[:40])
    if len(matches) > 1:
        choices = [(region.code, place_name(regions, region.code)) for region in matches]
        raise FilterChoice("console.error.several_areas", choices, value=text[:40])
    return Area(matches[0].code, place_name(regions, matches[0].code))


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    key: str

    @property
    def dates(self) -> dict[str, str]:
        """The period as an address's ``dari`` and ``sampai``."""
        return {"dari": self.first.isoformat(), "sampai": self.last.isoformat()}

    def instants(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """The period's local days as instants: from the first's midnight to after the last."""
        start = datetime.combine(self.first, time.min, tz)
        return start, datetime.combine(self.last + timedelta(days=1), time.min, tz)


def _date(value: str, key: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Refusal(400, "console.error.bad_date", value=value[:20], field=key) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Refusal(
            400,
            "console.error.date_out_of_range",
            value=value[:20],
            field=key,
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
    return day


def period_of(
    request: web.Request, config: ConsoleConfig, params: Mapping[str, str] | None = None
) -> Period:
    """This month by default; a shortcut (``periode=``, :mod:`web.console.periods`); or
    ``dari``/``sampai`` dates (from the address, or ``params``: a form's fields)."""
    q = request.query if params is None else params
    today = config.clock().astimezone(config.timezone).date()
    start, end = q.get("dari", ""), q.get("sampai", "")
    if start or end:
        first = _date(start, "dari") if start else today.replace(day=1)
        last = _date(end, "sampai") if end else today
        if last < first:
            raise Refusal(400, "console.error.bad_range")
        return Period(first, last, "custom")
    key = q.get("periode", "bulan")
    days = shortcut(key, today)
    if days is None:
        raise Refusal(400, "console.error.bad_period")
    return Period(*days, key)


def period_query(who: Viewer, period: Period) -> ReportQuery:
    """The reports the viewer may see, filed in the period."""
    return ReportQuery(
        visible=who.visible, first_day=period.first, last_day=period.last, own_unit=who.unit.id
    )


def page_number(request: web.Request) -> int:
    raw = request.query.get("hal", "1")
    if not re.fullmatch(r"[0-9]{1,6}", raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise Refusal(400, "console.error.bad_page", value=raw[:20])
    return int(raw)


def _tracking_prefix(text: str) -> str:
    parsed = parse_tracking_number(text)
    if parsed.check == TrackingCheck.VALID:
        return parsed.number.replace("-", "")
    cleaned = text.upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return _TRACKING_SYMBOLS.sub("", cleaned)


async def report_query(
    request: web.Request,
    session: AsyncSession,
    who: Viewer,
    config: ConsoleConfig,
    params: Mapping[str, str] | None = None,
) -> tuple[ReportQuery, dict[str, str], Period]:
    """The list's filters from the address (or ``params``), checked: unknown values are a 400,
    a unit outside the viewer's reach a 403 (audited)."""
    q = request.query if params is None else params
    period = period_of(request, config, q)
    query = period_query(who, period)
    status = q.get("status", "")
    if status:
        if status not in {s.value for s in ReportStatus}:
            raise Refusal(400, "console.error.bad_value", value=status[:40])
        query = replace(query, status=status)
    kind = q.get("klas", "")
    if kind:
        if kind not in {t.value for t in ReportType}:
            raise Refusal(400, "console.error.bad_value", value=kind[:40])
        query = replace(query, report_type=kind)
    category = q.get("kategori", "")
    if category:
        if config.category(category) is None:
            raise Refusal(400, "console.error.bad_value", value=category[:40])
        query = replace(query, category=category)
    code = q.get("unit", "")
    if code:
        unit = await queries.unit_by_code(session, code)
        if unit is None:
            raise Refusal(404, "console.error.unknown_unit", code=code[:40])
        if not who.may_see(unit.id):
            await refuse(session, request, f"{request.path} unit={code[:40]}")
        query = replace(query, unit_id=unit.id)
    area = q.get("wilayah", "")
    if area.strip():
        query = replace(query, region_prefix=area_of(config.regions, area).code)
    if q.get("terlambat") == "1":
        query = replace(query, late_on=config.clock().astimezone(config.timezone).date())
    search = q.get("nomor", "").strip()
    if search:
        query = replace(query, tracking=_tracking_prefix(search)[:9])
    assignee = q.get("ditangani", "")
    if assignee:
        if not _ASSIGNEE.fullmatch(assignee):
            raise Refusal(400, "console.error.bad_value", value=assignee[:40])
        query = replace(query, assignee=assignee)
    words = search_words(q.get("cari", ""))
    if words:
        query = replace(query, words=words)
    order = q.get("urut", "")
    if order not in ORDERS:
        raise Refusal(400, "console.error.bad_value", value=order[:40])
    query = replace(query, order=order)
    kept = {k: q.get(k, "") for k in KEPT}
    kept.update(period.dates)
    return query, kept, period
