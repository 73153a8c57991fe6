"""A report's public page (``/publik/laporan/<nomor>``) and the reporter's own
(``/publik/laporan/<nomor>/<kunci>``, the link in the bot's messages).

Without the key the page shows a report only when the public may see it: ``biasa`` and verified
by its unit, as Open311 shows it (:func:`web.open311.public.public_items`). Every other number
(anonim, rahasia, not yet verified, no report at all, not a number) gets one and the same 404
page, by one and the same query, so that neither the answer nor its time says which. So an
enumerator of numbers learns only what the Open311 API and the map already publish. The key
(:mod:`core.public_key`, an HMAC of the number with the server's secret) opens the reporter's
own report, whatever its privacy: its status and unit, and what the public sees of it; that page
is never kept or cached and sends no Referer."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from core.public_key import key_matches
from core.tracking import TrackingCheck, parse_tracking_number
from storage.console.public_points import public_report
from storage.models import Report
from storage.open311 import Open311Repository
from web.console import queries
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, Refusal, translator
from web.console.public_page import KEPT, PREFIX, answer, render
from web.open311.public import public_items


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(f"{PREFIX}/laporan", find_report)
    router.add_get(f"{PREFIX}/laporan/{{tracking}}", report_page)
    router.add_get(f"{PREFIX}/laporan/{{tracking}}/{{key}}", own_report_page)


async def find_report(request: web.Request) -> web.Response:
    """The home page's search form: on to the number's page."""
    number = parse_tracking_number(request.query.get("nomor", ""))
    if number.check != TrackingCheck.VALID:
        raise Refusal(404, "public.error.not_found")
    raise web.HTTPSeeOther(f"{PREFIX}/laporan/{number.number}")


def _number(request: web.Request) -> str:
    """The display form of the number asked for; "" when it is not a tracking number."""
    parsed = parse_tracking_number(request.match_info["tracking"])
    return parsed.number if parsed.check == TrackingCheck.VALID else ""


def hidden(request: web.Request) -> web.Response:
    """The one answer for every number the public may not see: it names no number (its
    language switch stays on this address), no status and no unit."""
    tr = translator(request)
    text = render(request, "public_hidden.html", tr.t("public.hidden.title"), here="")
    return answer(text, status=404)


async def report_page(request: web.Request) -> web.Response:
    """A verified biasa report as the public may see it; any other number: :func:`hidden`."""
    tr = translator(request)
    number = _number(request)
    key = ("report", number, tr.language)
    kept = request.config_dict[KEPT]
    text = kept.get(key) if number else None
    if text is None:
        async with request.config_dict[SESSIONS]() as session:
            report = await public_report(session, number)
            if report is None:
                return hidden(request)
            text = await _render(request, session, report, mine=False)
        kept.put(key, text)
    return answer(text)


async def own_report_page(request: web.Request) -> web.Response:
    """The reporter's own link: their report whatever its privacy, never kept; a key that is
    not the number's is answered as a number the public may not see."""
    config: ConsoleConfig = request.config_dict[CONFIG]
    number = _number(request)
    if not number or not key_matches(config.public_key, number, request.match_info["key"]):
        return hidden(request)
    async with request.config_dict[SESSIONS]() as session:
        report = await queries.report_by_tracking(session, number.replace("-", ""))
        if report is None:
            return hidden(request)
        text = await _render(request, session, report, mine=True)
    response = answer(text)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def _render(
    request: web.Request, session: AsyncSession, report: Report, *, mine: bool
) -> str:
    config: ConsoleConfig = request.config_dict[CONFIG]
    tr = translator(request)
    known = await queries.units(session)
    items = await public_items(
        Open311Repository(session),
        [report],
        tr=tr,
        regions=config.regions,
        categories=config.categories,
        timezone=config.timezone,
        publish=config.public_descriptions,
        base_url="",
    )
    unit = known.get(report.unit_id) if report.unit_id else None
    return render(
        request,
        "public_report.html",
        tr.t("public.report.title", number=report.tracking_no),
        status=tr.t(f"console.status.{report.status}"),
        unit=unit.name if unit else "",
        item=items[0] if items else None,
        filed=report.created_at.astimezone(config.timezone).date().isoformat(),
        mine=mine,
    )
