"""Peta: the report list's reports on a map (``/peta``, the same filters as ``/laporan``), its
points as JSON (``/peta/titik``, scoped as the list is), and the small map of a report's page.

The page holds no script of its own: ``static/map.js`` reads what it needs from the map's
``data-`` attributes (the points' address, the tiles, the words of a pin's popup) and draws with
the vendored Leaflet and its cluster plugin (``static/vendor/``). A pin names the tracking
number, category and status only: never the reporter."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from core.lifecycle import ReportStatus
from core.places import shown_point
from locales import Translator
from storage import console as store
from storage.console.points import Point
from web.console import list_form, queries
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, translator, viewer
from web.console.figures import url
from web.console.templating import page

#: The most pins one answer carries, the first of the list in its order: about 50 bytes each, so
#: at most about 150 kB however many reports the list holds; the page says when there were more.
MAX_POINTS = 3000


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/peta", map_page)
    router.add_get("/peta/titik", map_points)


@dataclass(frozen=True)
class MapFrame:
    """What ``static/map.js`` needs, written into the map's ``data-`` attributes."""

    tiles: str
    attribution: str
    bounds: str  # south,west,north,east: the frame when there is no point


def frame(config: ConsoleConfig) -> MapFrame:
    b = config.map_bounds
    return MapFrame(
        config.map_tiles, config.map_attribution, f"{b.south},{b.west},{b.north},{b.east}"
    )


def legend(tr: Translator) -> list[tuple[str, str]]:
    """Each status and its word, as the list says it: the pins' colours are keyed by status."""
    return [(s.value, tr.t(f"console.status.{s.value}")) for s in ReportStatus]


async def map_page(request: web.Request) -> web.Response:
    """The map of the list's reports: the list's form, a link back keeping the filters, the
    legend, and the map, which fetches its points from :func:`map_points`."""
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    async with request.config_dict[SESSIONS]() as session:
        found = await list_form.checked(request, session, who, config, "/peta")
        units = await queries.units(session)
        form = await list_form.choices(session, tr, config, who, units)
    return page(
        request,
        "map.html",
        tr.t("console.map.title"),
        status=400 if found.problem else 200,
        kept=found.kept,
        problem=found.problem,
        choices=found.choices,
        area=found.area,
        form=form,
        list_href=url("/laporan", found.kept),
        points_href=url("/peta/titik", found.kept) if found.query is not None else "",
        frame=frame(config),
        legend=legend(tr),
    )


def _category_name(config: ConsoleConfig, tr: Translator, code: str) -> str:
    category = config.category(code)
    named = (category.name_en if tr.language == "en" else category.name_id) if category else ""
    return named or code or "-"


def _where(who: Viewer, p: Point) -> tuple[float, float]:
    """The pin's place: exact (to 5 decimals) for the holding unit and the coordinator, an
    anonim or rahasia report's rounded for every other viewer (core.places)."""
    insider = who.is_coordinator or who.unit.id == p.unit_id
    shown = shown_point(p.latitude, p.longitude, p.privacy, insider=insider)
    assert shown is not None
    return round(shown[0], 5), round(shown[1], 5)


async def map_points(request: web.Request) -> web.Response:
    """``{"total", "capped", "categories": [name, …], "points": [[lat, lon, number,
    category's place in "categories", status], …]}``: the list's located reports (those the
    viewer may see, filtered as the list is), at most :data:`MAX_POINTS`. A filter that cannot
    be applied is a 400 saying why."""
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    async with request.config_dict[SESSIONS]() as session:
        found = await list_form.checked(request, session, who, config, "/peta")
        if found.query is None:
            return web.json_response({"error": found.problem}, status=400)
        points, total, capped = await store.map_points(session, found.query, limit=MAX_POINTS)
    # Each category's name once; a point names its category by its place in that list.
    codes = sorted({p.category for p in points})
    index = {code: i for i, code in enumerate(codes)}
    return web.json_response(
        {
            "total": total,
            "capped": capped,
            "categories": [_category_name(config, tr, code) for code in codes],
            "points": [
                [*_where(who, p), p.tracking_no, index[p.category], p.status] for p in points
            ],
        },
        headers={"Cache-Control": "no-store"},
    )
