"""Ringkasan bulanan (``/ringkasan?bulan=2026-11``): one month on one A4 page for the Bupati,
in the viewer's reach: the headline figures beside the month before, reports per week, the top
categories, the units with the most late reports, and how long open reports have waited today.
Charts are SVG drawn here (:mod:`web.console.charts`); the print stylesheet fits it on a page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from aiohttp import web

from locales import Translator
from storage.console.channels import by_way
from web.console import queries
from web.console.charts import bar_chart
from web.console.comparison import headlines
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, Refusal, translator, viewer
from web.console.filters import FIRST_DAY, LAST_DAY, Period, period_query
from web.console.periods import previous
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


def category_names(config: ConsoleConfig, tr: Translator, counts: dict[str, int]) -> dict[str, int]:
    """Category codes' counts by the categories' names in the viewer's language (a category no
    longer configured under "-")."""
    named: dict[str, int] = {}
    for code, n in counts.items():
        category = config.category(code)
        name = code or "-"
        if category is not None:
            name = category.name_en if tr.language == "en" else category.name_id
        named[name] = named.get(name, 0) + n
    return named


@dataclass(frozen=True)
class LateUnit:
    name: str
    late: int
    received: int


async def monthly_summary(request: web.Request) -> web.Response:
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    today = config.clock().astimezone(config.timezone).date()
    first = month_of(request.query.get("bulan", ""), today)
    end = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    period = Period(first, max(first, min(end, today)), "custom")
    earlier = Period(*previous(period.first, period.last), "custom")
    async with request.config_dict[SESSIONS]() as session:
        found = await queries.overview(session, period_query(who, period), config, today)
        before = await queries.headline_figures(session, period_query(who, earlier), today)
        aged = await queries.ageing(session, who.visible, config, today)
        ways = await by_way(session, who.visible, period.first, period.last)
    categories = sorted(category_names(config, tr, found.categories).items(), key=lambda kv: -kv[1])
    late = sorted(
        (LateUnit(u.name, i.late_now, i.received) for u, i in found.by_unit if i.late_now),
        key=lambda row: (-row.late, row.name),
    )
    ages = [
        (
            tr.t("console.age.beyond", days=low - 1)
            if high is None
            else tr.t("console.age.span", first=low, last=high),
            n,
        )
        for (low, high), n in zip(queries.AGES, aged, strict=True)
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
        cards=headlines(found.total, before, tr),
        weeks=bar_chart(
            [
                (tr.t("console.overview.week", day=monday.isoformat()), w.received)
                for monday, w in found.weeks
            ]
        ),
        categories=bar_chart(categories[:TOP]),
        more_categories=max(len(categories) - TOP, 0),
        late_units=late[:TOP],
        more_late=max(len(late) - TOP, 0),
        ages=bar_chart(ages, "age"),
        ways=list(ways.items()),
    )
