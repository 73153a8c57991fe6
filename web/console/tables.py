"""Kategori × unit dan kecamatan (``/silang``): for a period, the reports received, still open and
late now per category and holding unit, and per category and kecamatan, in the viewer's reach as
every page. Each row leads to the list of exactly those reports."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from core.deadlines import UNIT_STAGES
from core.lifecycle import OPEN_STATUSES
from locales import Translator
from storage import console as store
from storage.models import Unit
from web.console import queries
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, translator, viewer
from web.console.figures import url
from web.console.filters import Period, period_of, period_query
from web.console.rows import place_names
from web.console.templating import page

K = TypeVar("K", bound=Hashable)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/silang", cross_tables)


@dataclass(frozen=True)
class CrossTables:
    """Both tables' counts: (category code, unit id) and (category code, kecamatan code) →
    [received, still open, late now]. A category no longer configured is ``""``, and so is an
    area outside the region."""

    by_unit: dict[tuple[str, int | None], list[int]]
    by_kecamatan: dict[tuple[str, str], list[int]]


def _add(table: dict[K, list[int]], key: K, row: store.Cross) -> None:
    sums = table.setdefault(key, [0, 0, 0])
    sums[0] += row.received
    sums[1] += row.still_open
    sums[2] += row.late


def cross_tables_of(config: ConsoleConfig, rows: Iterable[store.Cross]) -> CrossTables:
    """The grouped counts added up per (category, unit) and per (category, kecamatan)."""
    found = CrossTables({}, {})
    for row in rows:
        category = row.category if config.category(row.category) is not None else ""
        _add(found.by_unit, (category, row.unit_id), row)
        _add(found.by_kecamatan, (category, place_names(config, row.region_code)[0]), row)
    return found


async def read_cross_tables(
    session: AsyncSession, query: store.ReportQuery, config: ConsoleConfig, today: date
) -> CrossTables:
    """The period's (``query``'s) reports in both tables, from one grouped count."""
    rows = await store.cross_counts(
        session,
        query,
        open_statuses=sorted(OPEN_STATUSES),
        unit_stages=sorted(s.value for s in UNIT_STAGES),
        today=today,
    )
    return cross_tables_of(config, rows)


@dataclass(frozen=True)
class CrossLine:
    """A row: the category's and the unit's (or kecamatan's) names, the link to exactly those
    reports, received, still open and late now."""

    category: str
    name: str
    href: str
    received: int
    still_open: int
    late: int


def _category_name(config: ConsoleConfig, tr: Translator, code: str) -> str:
    category = config.category(code)
    if category is None:
        return tr.t("console.cross.other_category")
    return category.name_en if tr.language == "en" else category.name_id


def _lines(
    config: ConsoleConfig,
    tr: Translator,
    table: Mapping[tuple[str, Any], list[int]],
    name: Mapping[tuple[str, Any], tuple[str, dict[str, str]]],
) -> list[CrossLine]:
    """The rows in the configured categories' order, the most reports first within each."""
    order = {c.code: i for i, c in enumerate(config.categories)}
    lines = []
    for key, (received, still_open, late) in sorted(
        table.items(),
        key=lambda kv: (order.get(str(kv[0][0]), len(order)), -kv[1][0], name[kv[0]][0]),
    ):
        label, filters = name[key]
        category = str(key[0])
        href = url("/laporan", {**filters, "kategori": category}) if category else ""
        lines.append(
            CrossLine(_category_name(config, tr, category), label, href, received, still_open, late)
        )
    return lines


async def cross_tables(request: web.Request) -> web.Response:
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    period = period_of(request, config)
    today = config.clock().astimezone(config.timezone).date()
    async with request.config_dict[SESSIONS]() as session:
        found = await read_cross_tables(session, period_query(who, period), config, today)
        known = await queries.units(session)
    units = {key: _unit_name(tr, known, key[1], period) for key in found.by_unit}
    areas = {key: _kecamatan_name(tr, config, key[1], period) for key in found.by_kecamatan}
    title = tr.t(
        "console.cross.title", first=period.first.isoformat(), last=period.last.isoformat()
    )
    return page(
        request,
        "cross.html",
        title,
        period=period,
        by_unit=_lines(config, tr, found.by_unit, units),
        by_kecamatan=_lines(config, tr, found.by_kecamatan, areas),
    )


def _unit_name(
    tr: Translator, known: dict[int, Unit], unit_id: int | None, period: Period
) -> tuple[str, dict[str, str]]:
    unit = known.get(unit_id or 0)
    if unit is None:
        return tr.t("console.cross.no_unit"), {**period.dates}
    return unit.name, {**period.dates, "unit": unit.code}


def _kecamatan_name(
    tr: Translator, config: ConsoleConfig, code: str, period: Period
) -> tuple[str, dict[str, str]]:
    region = config.regions.get(code) if code else None
    if region is None:
        return tr.t("console.cross.no_area"), {**period.dates}
    return region.name, {**period.dates, "wilayah": code}
