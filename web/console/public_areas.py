"""Halaman publik per wilayah (``/publik/wilayah`` and ``/publik/wilayah/<kode>``): the same
figures as the unit table (reports received, shares on time, median days, rating), for the
reports filed in each kecamatan of the kabupaten, or each desa of a kecamatan, over the same 12
whole months, whichever unit handled them. An area with fewer than ``PUBLIC_MIN_REPORTS``
reports shows no figures, only that it had fewer: a count of one or two reports in a small desa
says too much about who filed them. Kept and cached as the other public pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiohttp import web

from core.deadlines import UNIT_STAGES
from core.performance import Indicators, Tally
from core.regions import Region, region_label
from storage import console as store
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, Refusal, translator
from web.console.public_page import HEADS, KEPT, PREFIX, answer, months_before, render, today_of

#: The levels of a kecamatan and of a desa in the Kemendagri code (64.08.09 / 64.08.09.2001).
KECAMATAN_LEVEL = 3
DESA_LEVEL = 4


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(f"{PREFIX}/wilayah", areas_page)
    router.add_get(f"{PREFIX}/wilayah/{{code}}", areas_page)


@dataclass(frozen=True)
class AreaLine:
    name: str
    href: str
    ind: Indicators | None  # None: fewer reports than the minimum (no figures shown)
    received: int


async def _figures(request: web.Request, code: str, first_day: date, last_day: date) -> Tally:
    """All units' tallies of the reports filed in ``code`` in the period, with the medians."""
    query = store.ReportQuery(region_prefix=code, first_day=first_day, last_day=last_day)
    config: ConsoleConfig = request.config_dict[CONFIG]
    stages = [s.value for s in UNIT_STAGES]
    async with request.config_dict[SESSIONS]() as session:
        parts = await store.tallies(session, query, today=today_of(config), unit_stages=stages)
        days = await store.day_counts(session, query, None)
    total = Tally()
    for part in parts.values():
        total.add(part)
    return store.with_days(total, days.get(None, {}))


async def areas_page(request: web.Request) -> web.Response:
    config: ConsoleConfig = request.config_dict[CONFIG]
    tr = translator(request)
    root = config.regions.root
    code = request.match_info.get("code", root.code)
    area: Region | None = config.regions.get(code)
    if area is None or area.level >= DESA_LEVEL or not config.regions.contains(code):
        raise Refusal(404, "public.error.no_area")
    first, last = months_before(today_of(config))
    key = ("areas", area.code, first.isoformat(), tr.language)
    kept = request.config_dict[KEPT]
    text = kept.get(key)
    if text is None:
        lines: list[AreaLine] = []
        for child in sorted(config.regions.children(area.code), key=lambda r: r.name):
            tally = await _figures(request, child.code, first, last)
            enough = tally.received >= config.public_min_reports
            href = f"{PREFIX}/wilayah/{child.code}" if child.level < DESA_LEVEL else ""
            lines.append(
                AreaLine(
                    region_label(child),
                    href,
                    tally.indicators() if enough else None,
                    tally.received,
                )
            )
        text = render(
            request,
            "public_areas.html",
            tr.t("public.areas.title", area=region_label(area)),
            first=first.isoformat(),
            last=last.isoformat(),
            minimum=config.public_min_reports,
            heads=HEADS[1:],
            lines=lines,
            up=f"{PREFIX}/wilayah" if area.code != root.code else PREFIX,
        )
        kept.put(key, text)
    return answer(text)
