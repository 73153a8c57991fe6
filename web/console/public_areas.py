"""Halaman publik per wilayah (``/publik/wilayah`` and ``/publik/wilayah/<kode>``): the same
figures as the unit table (reports received, shares on time, median days, rating), for the
reports filed in each kecamatan of the kabupaten, or each desa of a kecamatan, over the same 12
whole months, whichever unit handled them. An area with fewer than ``PUBLIC_MIN_REPORTS``
reports shows no figures, only that it had fewer: a count of one or two reports in a small desa
says too much about who filed them. Kept and cached as the other public pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from aiohttp import web

from core.performance import Indicators, Tally
from core.places import BLUR_DECIMALS
from core.regions import Region, region_label
from storage import console as store
from storage.console.public_points import public_points
from storage.console.region_rollup import area_tallies, within
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, Refusal, translator
from web.console.map_view import frame, legend
from web.console.public_page import HEADS, KEPT, PREFIX, answer, months_before, render, today_of
from web.open311.public import service_name

#: The levels of a kecamatan and of a desa in the Kemendagri code (64.08.09 / 64.08.09.2001).
KECAMATAN_LEVEL = 3
DESA_LEVEL = 4


#: The most points the public map carries (as the console's map, about 150 kB at most).
MAX_POINTS = 3000
#: Decimals a public point keeps: about 110 m (core.places.BLUR_DECIMALS, the data rules' blur).
BLUR = BLUR_DECIMALS


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(f"{PREFIX}/wilayah", areas_page)
    router.add_get(f"{PREFIX}/wilayah/{{code}}", areas_page)
    router.add_get(f"{PREFIX}/wilayah/{{code}}/titik", area_points)


@dataclass(frozen=True)
class AreaLine:
    name: str
    href: str
    ind: Indicators | None  # None: fewer reports than the minimum (no figures shown)
    received: int


async def _figures(request: web.Request, code: str, first_day: date) -> dict[str, Tally]:
    """Per area filed under ``code``: the tallies of the whole months from ``first_day``'s to
    the last before this one, from the region roll-up (``storage.console.region_rollup``)."""
    config: ConsoleConfig = request.config_dict[CONFIG]
    today = today_of(config)
    _, last_day = months_before(today)
    async with request.config_dict[SESSIONS]() as session:
        return await area_tallies(session, code, first_day, last_day, today=today)


def _area(config: ConsoleConfig, code: str, *, lowest: int) -> Region:
    area: Region | None = config.regions.get(code)
    if area is None or area.level > lowest or not config.regions.contains(code):
        raise Refusal(404, "public.error.no_area")
    return area


async def area_points(request: web.Request) -> web.Response:
    """The map's points as the console's map reads them (``static/map.js``): ``{"total",
    "capped", "categories", "points": [[lat, lon, number, category's index, status], …]}``,
    each point rounded to about 110 m."""
    config: ConsoleConfig = request.config_dict[CONFIG]
    tr = translator(request)
    area = _area(config, request.match_info["code"], lowest=DESA_LEVEL)
    first, last = months_before(today_of(config))
    key = ("points", area.code, first.isoformat(), tr.language)
    kept = request.config_dict[KEPT]
    text = kept.get(key)
    if text is None:
        query = store.ReportQuery(region_prefix=area.code, first_day=first, last_day=last)
        async with request.config_dict[SESSIONS]() as session:
            points = await public_points(session, query, limit=MAX_POINTS + 1)
        capped = len(points) > MAX_POINTS
        points = points[:MAX_POINTS]
        codes = sorted({p.category for p in points})
        index = {code: i for i, code in enumerate(codes)}
        text = json.dumps(
            {
                "total": len(points),
                "capped": capped,
                "categories": [service_name(config.categories, c, tr.language) for c in codes],
                "points": [
                    [
                        round(p.latitude, BLUR),
                        round(p.longitude, BLUR),
                        p.tracking_no,
                        index[p.category],
                        p.status,
                    ]
                    for p in points
                ],
            }
        )
        kept.put(key, text)
    return answer(text, content_type="application/json")


async def areas_page(request: web.Request) -> web.Response:
    config: ConsoleConfig = request.config_dict[CONFIG]
    tr = translator(request)
    root = config.regions.root
    area = _area(config, request.match_info.get("code", root.code), lowest=KECAMATAN_LEVEL)
    first, last = months_before(today_of(config))
    key = ("areas", area.code, first.isoformat(), tr.language)
    kept = request.config_dict[KEPT]
    text = kept.get(key)
    if text is None:
        lines: list[AreaLine] = []
        tallies = await _figures(request, area.code, first)
        for child in sorted(config.regions.children(area.code), key=lambda r: r.name):
            tally = within(tallies, child.code)
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
            frame=frame(config),
            points=f"{PREFIX}/wilayah/{area.code}/titik",
            legend=legend(tr),
        )
        kept.put(key, text)
    return answer(text)
