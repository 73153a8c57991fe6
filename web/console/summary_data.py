"""The figures of one month's summary, read once for both its forms: the console's printable
page (``/ringkasan``, :mod:`web.console.summary`) and the PDF the coordinator's group receives
on the first working day of the next month (:mod:`web.console.summary_pdf`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from locales import Translator
from storage.console import ReportQuery
from storage.console.channels import by_way
from web.console import queries
from web.console.comparison import Compared, headlines
from web.console.config import ConsoleConfig
from web.console.filters import Period
from web.console.periods import previous


@dataclass(frozen=True)
class LateUnit:
    name: str
    late: int
    received: int


@dataclass(frozen=True)
class MonthSummary:
    first: date
    period: Period
    earlier: Period
    cards: list[Compared]
    overview: queries.Overview
    #: Category names (in the reader's language) and counts, most first.
    categories: list[tuple[str, int]]
    #: Units with reports late now among the month's, most late first.
    late: list[LateUnit]
    aged: list[int]
    ways: dict[str, int]


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


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


async def month_summary(
    session: AsyncSession,
    config: ConsoleConfig,
    tr: Translator,
    *,
    visible: frozenset[int] | None,
    own_unit: int,
    first: date,
    today: date,
) -> MonthSummary:
    """The month starting ``first`` as seen by a unit reaching ``visible`` (None: every unit)."""
    period = Period(first, max(first, min(month_end(first), today)), "custom")
    earlier = Period(*previous(period.first, period.last), "custom")

    def query(p: Period) -> ReportQuery:
        return ReportQuery(visible=visible, first_day=p.first, last_day=p.last, own_unit=own_unit)

    found = await queries.overview(session, query(period), config, today)
    before = await queries.headline_figures(session, query(earlier), today)
    aged = await queries.ageing(session, visible, config, today)
    ways = await by_way(session, visible, period.first, period.last)
    categories = sorted(category_names(config, tr, found.categories).items(), key=lambda kv: -kv[1])
    late = sorted(
        (LateUnit(u.name, i.late_now, i.received) for u, i in found.by_unit if i.late_now),
        key=lambda row: (-row.late, row.name),
    )
    return MonthSummary(
        first=first,
        period=period,
        earlier=earlier,
        cards=headlines(found.total, before, tr),
        overview=found,
        categories=categories,
        late=late,
        aged=list(aged),
        ways=dict(ways),
    )
