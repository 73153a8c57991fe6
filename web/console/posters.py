"""Poster (``/poster``): posters to print for the viewer's own area, and the scans and reports
counted per poster in a period (``?periode=`` or ``dari``/``sampai``, this month by default, as the
other pages; issue 31; the bot's side is handlers/posters.py).

The coordinator may print every kecamatan's and desa's poster; a kecamatan's unit its kecamatan
and its desa; a desa's unit its own desa; an OPD none (it has no area). ``/poster/unduh`` gives
one desa (``desa=CODE``), a kecamatan's own poster (``kecamatan=CODE``), or every desa of a
kecamatan in one PDF (``kecamatan=CODE&semua=1``); ``format`` is ``pdf`` or ``png`` (one poster).
Each download is written to the audit log (who, which posters, when), a refused one as a refusal.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.permissions import UnitKind
from core.posters import region_of
from core.regions import LEVEL_DISTRICT, LEVEL_VILLAGE, RegionDirectory, place_name
from storage.models import PosterReport, PosterScan, Report
from storage.uow import UnitOfWork
from web.console.audit import AuditAction, record, refuse
from web.console.auth import Viewer
from web.console.context import CONFIG, SESSIONS, Refusal, translator, viewer
from web.console.filters import Period, period_of
from web.console.templating import page
from web.posters import render
from web.posters.facts import places_of, posters_for

FORMATS = {"pdf": "application/pdf", "png": "image/png"}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/poster", posters_page)
    router.add_get("/poster/unduh", download)


def area_of(who: Viewer) -> str | None:
    """The region whose posters the viewer may print ("" for every one; None for none)."""
    if who.is_coordinator:
        return ""
    if who.unit.kind in (UnitKind.KECAMATAN, UnitKind.DESA) and who.unit.area_code:
        return who.unit.area_code
    return None


def _in_area(area: str | None, region_code: str) -> bool:
    if area is None:
        return False
    return area == "" or region_code == area or region_code.startswith(area + ".")


def _kecamatan_list(regions: RegionDirectory, area: str | None) -> list[str]:
    if area is None:
        return []
    everything = [r.code for r in regions.descendants(regions.root.code, LEVEL_DISTRICT)]
    return sorted(c for c in everything if _in_area(area, c))


async def _per_poster(session: AsyncSession, statement: Select[str, int]) -> dict[str, int]:
    rows = await session.execute(statement)
    return {str(code): int(count) for code, count in rows}


async def _counts(
    request: web.Request, area: str | None, period: Period
) -> list[tuple[str, int, int]]:
    """Per poster in the viewer's area: its place, its scans in the period and the reports
    filed after one in the period (the report's day of filing, as the other pages count)."""
    config = request.config_dict[CONFIG]
    start, end = period.instants(config.timezone)
    scans_in = (
        select(PosterScan.poster_code, func.count())
        .where(PosterScan.scanned_at >= start, PosterScan.scanned_at < end)
        .group_by(PosterScan.poster_code)
    )
    reports_in = (
        select(PosterReport.poster_code, func.count())
        .join(Report, Report.id == PosterReport.report_id)
        .where(Report.created_on >= period.first, Report.created_on <= period.last)
        .group_by(PosterReport.poster_code)
    )
    async with request.config_dict[SESSIONS]() as session:
        scans = await _per_poster(session, scans_in)
        reports = await _per_poster(session, reports_in)
    regions = config.regions
    rows: list[tuple[str, int, int]] = []
    for code in sorted(set(scans) | set(reports)):
        region_code = region_of(code)
        if region_code is not None and _in_area(area, region_code):
            rows.append(
                (place_name(regions, region_code), scans.get(code, 0), reports.get(code, 0))
            )
    return rows


async def posters_page(request: web.Request) -> web.Response:
    tr = translator(request)
    who = viewer(request)
    config = request.config_dict[CONFIG]
    area = area_of(who)
    kecamatan = [(c, place_name(config.regions, c)) for c in _kecamatan_list(config.regions, area)]
    desa = [
        (r.code, place_name(config.regions, r.code))
        for c, _ in kecamatan
        for r in sorted(config.regions.children(c), key=lambda r: r.code)
        if _in_area(area, r.code)
    ]
    own = config.regions.get(area) if area else None
    if own is not None and own.level == LEVEL_VILLAGE:  # a desa's unit: its own poster
        desa = [(own.code, place_name(config.regions, own.code))]
    period = period_of(request, config)
    counts = await _counts(request, area, period)
    return page(
        request,
        "posters.html",
        tr.t("console.posters.title"),
        ready=bool(config.bot_username),
        period=period,
        kecamatan=kecamatan,
        desa=desa,
        headers=[tr.t(f"console.posters.{n}") for n in ("poster", "scans", "reports")],
        rows=[[name, str(scans), str(filed)] for name, scans, filed in counts],
    )


async def download(request: web.Request) -> web.Response:
    """One poster (PDF or PNG), or every desa of a kecamatan as one PDF."""
    tr = translator(request)
    who = viewer(request)
    config = request.config_dict[CONFIG]
    if not config.bot_username:
        raise Refusal(404, "console.posters.no_username")
    query = request.query
    desa, kecamatan = query.get("desa", ""), query.get("kecamatan", "")
    kind = query.get("format", "pdf")
    wanted = desa or kecamatan
    region = config.regions.get(wanted) if wanted else None
    level = LEVEL_VILLAGE if desa else LEVEL_DISTRICT
    if kind not in FORMATS or region is None or region.level != level:
        raise Refusal(400, "console.error.http_400")
    every = bool(kecamatan) and query.get("semua") == "1"
    subject = f"{kind} {'kecamatan' if kecamatan else 'desa'}={wanted}{' semua=1' if every else ''}"
    # A kecamatan's unit may print its desa's; a desa's unit not its kecamatan's.
    if not _in_area(area_of(who), wanted):
        async with request.config_dict[SESSIONS]() as session:
            await refuse(session, request, f"poster {subject}")
    codes = places_of(config.regions, kecamatan=kecamatan) if every else [wanted]
    if kind == "png" and len(codes) != 1:
        raise Refusal(400, "console.error.http_400")
    async with UnitOfWork(request.config_dict[SESSIONS]) as uow:
        record(uow.session, request, AuditAction.POSTER, subject)
        posters = await posters_for(
            uow,
            config.regions,
            tr,
            codes,
            bot_username=config.bot_username,
            whatsapp=config.poster_whatsapp,
        )
        await uow.commit()
    body = render.pdf(tr, posters) if kind == "pdf" else render.png(tr, posters[0])
    name = f"poster-{wanted.replace('.', '-')}{'-semua' if every else ''}.{kind}"
    return web.Response(
        body=body,
        content_type=FORMATS[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
