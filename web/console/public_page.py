"""Halaman publik (``/publik``): how each unit responds, for anyone, without signing in; the
pages the others share (kept pages, rendering, headers). A report's page is
:mod:`web.console.public_report`, the areas' :mod:`web.console.public_areas`.

The figures are the console's (the roll-up's tallies and day histograms, turned into
:class:`core.performance.Indicators` the same way), over the 12 whole months before the current
one: a past month no longer changes shape, so the roll-up answers alone and a page can be kept.
Units are ranked only when they received at least ``PUBLIC_MIN_REPORTS`` reports; the others
are listed apart, unranked. Pages are kept in this process for :data:`MAX_AGE` seconds, keyed
by the period (or the number) and the language, and sent with ``Cache-Control: public, …``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from core.deadlines import UNIT_STAGES
from core.performance import Indicators
from storage import console as store
from storage.models import Report
from web.console import queries
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, translator
from web.console.figures import url
from web.console.templating import ENVIRONMENT

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


def render(
    request: web.Request, template: str, title: str, *, here: str | None = None, **values: Any
) -> str:
    """``template`` in the viewer's language; the language switch leads to ``here`` (the
    request's path when None)."""
    tr = translator(request)
    other = "en" if tr.language == "id" else "id"
    return ENVIRONMENT.get_template(template).render(
        t=tr.t,
        language=tr.language,
        title=title,
        switch=url(request.path if here is None else here, {"lang": other}),
        **values,
    )


def answer(text: str, content_type: str = "text/html", status: int = 200) -> web.Response:
    return web.Response(
        text=text,
        status=status,
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
