"""Halaman publik (``/publik``): how each unit responds, for anyone, without signing in; and a
report's public page by its tracking number (``/publik/laporan/<nomor>``), which the bot's
status messages link to (``PUBLIC_BASE_URL``).

The figures are the console's (the roll-up's tallies and day histograms, turned into
:class:`core.performance.Indicators` the same way), over the 12 whole months before the current
one: a past month no longer changes shape, so the roll-up answers alone and a page can be kept.
Units are ranked only when they received at least ``PUBLIC_MIN_REPORTS`` reports; the others
are listed apart, unranked. A report's page shows what the Open311 API would show of it
(:func:`web.open311.public.public_items`); an anonim or rahasia report shows its status and unit
only. Pages are kept in this process for :data:`MAX_AGE` seconds, keyed by the period (or the
number) and the language, and sent with ``Cache-Control: public, max-age=…``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from aiohttp import web

from core.deadlines import UNIT_STAGES
from core.performance import Indicators
from core.tracking import TrackingCheck, parse_tracking_number
from storage import console as store
from storage.models import Report
from storage.open311 import Open311Repository
from web.console import queries
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, Refusal, translator
from web.console.figures import url
from web.console.templating import ENVIRONMENT
from web.open311.public import public_items

PREFIX = "/publik"
#: Seconds a page is kept here and by browsers and proxies.
MAX_AGE = 300
#: The most pages kept (a report's page each, and the unit table per language): beyond it the
#: store starts again empty, so that a crawler of tracking numbers cannot grow it without end.
MAX_KEPT = 2000
#: How many whole months the unit table covers.
MONTHS = 12
#: The columns of the unit table (after the rank).
HEADS = (
    "console.unit.name",
    "console.ind.received",
    "console.ind.verify_on_time",
    "console.ind.follow_up_on_time",
    "console.ind.follow_up_median",
    "console.ind.rating_average",
)


@dataclass
class Kept:
    """Pages rendered lately: key → (monotonic time it expires, html)."""

    pages: dict[tuple[str, ...], tuple[float, str]] = field(default_factory=dict)

    def get(self, key: tuple[str, ...]) -> str | None:
        found = self.pages.get(key)
        if found is None or found[0] <= time.monotonic():
            return None
        return found[1]

    def put(self, key: tuple[str, ...], text: str) -> None:
        if len(self.pages) >= MAX_KEPT:
            self.pages.clear()
        self.pages[key] = (time.monotonic() + MAX_AGE, text)


KEPT = web.AppKey("public_kept", Kept)


def install(app: web.Application) -> None:
    """Serve the public pages on ``app`` (only when ``PUBLIC_PAGE_ENABLED``)."""
    app[KEPT] = Kept()
    app.router.add_get(PREFIX, units_page)
    app.router.add_get(f"{PREFIX}/laporan", find_report)
    app.router.add_get(f"{PREFIX}/laporan/{{tracking}}", report_page)


def months_before(today: date, months: int = MONTHS) -> tuple[date, date]:
    """The ``months`` whole months before ``today``'s: their first and last day."""
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, last


@dataclass(frozen=True)
class UnitLine:
    name: str
    ind: Indicators
    rank: int = 0


def _rank_key(line: UnitLine) -> tuple[float, float, int, str]:
    """More followed up on time first, then more verified on time, then more reports."""
    follow = line.ind.follow_up_on_time
    verify = line.ind.verify_on_time
    return (
        -(follow if follow is not None else -1.0),
        -(verify if verify is not None else -1.0),
        -line.ind.received,
        line.name.lower(),
    )


async def unit_lines(
    request: web.Request, first: date, last: date, today: date
) -> tuple[list[UnitLine], list[UnitLine]]:
    """Every unit that received reports in the period: those ranked and those listed apart."""
    config: ConsoleConfig = request.config_dict[CONFIG]
    query = store.ReportQuery(first_day=first, last_day=last)
    stages = [s.value for s in UNIT_STAGES]
    async with request.config_dict[SESSIONS]() as session:
        known = await queries.units(session)
        tallies = await store.tallies(session, query, today=today, unit_stages=stages)
        days = await store.day_counts(session, query, Report.unit_id)
    lines = [
        UnitLine(known[uid].name, store.with_days(tally, days.get(uid, {})).indicators())
        for uid, tally in tallies.items()
        if uid in known and tally.received
    ]
    enough = sorted(
        (x for x in lines if x.ind.received >= config.public_min_reports), key=_rank_key
    )
    ranked = [UnitLine(x.name, x.ind, n) for n, x in enumerate(enough, start=1)]
    apart = sorted((x for x in lines if x.ind.received < config.public_min_reports), key=_rank_key)
    return ranked, apart


def render(request: web.Request, template: str, title: str, **values: Any) -> str:
    tr = translator(request)
    other = "en" if tr.language == "id" else "id"
    return ENVIRONMENT.get_template(template).render(
        t=tr.t,
        language=tr.language,
        title=title,
        switch=url(request.path, {"lang": other}),
        **values,
    )


def answer(text: str, content_type: str = "text/html") -> web.Response:
    return web.Response(
        text=text,
        content_type=content_type,
        headers={"Cache-Control": f"public, max-age={MAX_AGE}", "Vary": "Cookie"},
    )


def today_of(config: ConsoleConfig) -> date:
    return config.clock().astimezone(config.timezone).date()


async def units_page(request: web.Request) -> web.Response:
    """How each unit responded over the last 12 whole months."""
    config: ConsoleConfig = request.config_dict[CONFIG]
    tr = translator(request)
    today = today_of(config)
    first, last = months_before(today)
    key = ("units", first.isoformat(), tr.language)
    kept = request.config_dict[KEPT]
    text = kept.get(key)
    if text is None:
        ranked, apart = await unit_lines(request, first, last, today)
        text = render(
            request,
            "public.html",
            tr.t("public.units.title"),
            first=first.isoformat(),
            last=last.isoformat(),
            minimum=config.public_min_reports,
            heads=HEADS,
            ranked=ranked,
            unranked=apart,
        )
        kept.put(key, text)
    return answer(text)


async def find_report(request: web.Request) -> web.Response:
    """The home page's search form: on to the number's page."""
    number = parse_tracking_number(request.query.get("nomor", ""))
    if number.check != TrackingCheck.VALID:
        raise Refusal(404, "public.error.not_found")
    raise web.HTTPSeeOther(f"{PREFIX}/laporan/{number.number}")


async def report_page(request: web.Request) -> web.Response:
    """A report as the public may see it: a biasa one as Open311 shows it, an anonim or
    rahasia one by its status and unit only. A number that is not a report's is a 404."""
    config: ConsoleConfig = request.config_dict[CONFIG]
    tr = translator(request)
    parsed = parse_tracking_number(request.match_info["tracking"])
    if parsed.check != TrackingCheck.VALID:
        raise Refusal(404, "public.error.not_found")
    key = ("report", parsed.number, tr.language)
    kept = request.config_dict[KEPT]
    text = kept.get(key)
    if text is None:
        async with request.config_dict[SESSIONS]() as session:
            report = await queries.report_by_tracking(session, parsed.number.replace("-", ""))
            if report is None:
                raise Refusal(404, "public.error.not_found")
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
        filed: datetime = report.created_at
        text = render(
            request,
            "public_report.html",
            tr.t("public.report.title", number=report.tracking_no),
            status=tr.t(f"console.status.{report.status}"),
            unit=unit.name if unit else "",
            item=items[0] if items else None,
            filed=filed.astimezone(config.timezone).date().isoformat(),
        )
        kept.put(key, text)
    return answer(text)
