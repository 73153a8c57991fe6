"""Ringkasan bulanan (``/ringkasan?bulan=2026-11``): one month on one A4 page for the Bupati,
in the viewer's reach: the headline figures beside the month before, reports per week, the top
categories, the units with the most late reports, and how long open reports have waited today.
Charts are SVG drawn here (:mod:`web.console.charts`); the print stylesheet fits it on a page."""

from __future__ import annotations

import re
from datetime import date, timedelta

from aiohttp import web

from web.console import queries
from web.console.charts import bar_chart
from web.console.context import CONFIG, SESSIONS, Refusal, translator, viewer
from web.console.filters import FIRST_DAY, LAST_DAY
from web.console.summary_data import month_summary
from web.console.templating import page

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
#: How many categories and late units the page names: what fits on the page beside the rest.
TOP = 6


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/ringkasan", monthly_summary)


def month_of(raw: str, today: date) -> date:
    """The first day of the month asked for (``YYYY-MM``); by default the month before today's
    (the month a monthly report is about). Anything else is a 400."""
    if not raw:
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    found = _MONTH.fullmatch(raw.strip())
    if found is None or not 1 <= int(found[2]) <= 12:
        raise Refusal(400, "console.error.bad_month", value=raw[:20])
    first = date(int(found[1]), int(found[2]), 1)
    if not FIRST_DAY <= first <= LAST_DAY:
        raise Refusal(400, "console.error.bad_month", value=raw[:20])
    return first


async def monthly_summary(request: web.Request) -> web.Response:
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    today = config.clock().astimezone(config.timezone).date()
    first = month_of(request.query.get("bulan", ""), today)
    async with request.config_dict[SESSIONS]() as session:
        found = await month_summary(
            session, config, tr, visible=who.visible, own_unit=who.unit.id, first=first, today=today
        )
    period, earlier, late, categories = found.period, found.earlier, found.late, found.categories
    ages = [
        (
            tr.t("console.age.beyond", days=low - 1)
            if high is None
            else tr.t("console.age.span", first=low, last=high),
            n,
        )
        for (low, high), n in zip(queries.AGES, found.aged, strict=True)
    ]
    month_name = tr.t(f"console.month.{first.month}") + f" {first.year}"
    return page(
        request,
        "summary.html",
        tr.t("console.summary.title", month=month_name),
        month=first.strftime("%Y-%m"),
        period=period,
        earlier=earlier,
        scope=who.unit.name,
        printed_at=config.clock().astimezone(config.timezone).strftime("%Y-%m-%d %H:%M"),
        cards=found.cards,
        weeks=bar_chart(
            [
                (tr.t("console.overview.week", day=monday.isoformat()), w.received)
                for monday, w in found.overview.weeks
            ]
        ),
        categories=bar_chart(categories[:TOP]),
        more_categories=max(len(categories) - TOP, 0),
        late_units=late[:TOP],
        more_late=max(len(late) - TOP, 0),
        ages=bar_chart(ages, "age"),
        ways=list(found.ways.items()),
    )
