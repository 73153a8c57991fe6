"""The public area pages' figures from the region roll-up (migration 0036): per area filed under
a prefix, the whole months' sums and day histograms read from its two tables (a row per desa and
month: bounded by the areas, not the reports), and the stages open past their deadline counted
from the few reports with one (``ix_reports_stage_due``), as the unit roll-up does
(:mod:`storage.console.rollup`). ``late_now`` is not counted: no public page shows it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, and_, delete, func, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.indicators import MEASURES, ROLLED
from core.performance import Tally
from storage.console.indicators import OPEN_LATE, condition_sql, stored_sum
from storage.console.query import ReportQuery, _count_if
from storage.console.rebuild import _month
from storage.console.rollup import _open_where, _past_stage_due
from storage.console.tallies import with_days
from storage.models import Report, ReportRegionDays, ReportRegionMonth


def _under(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` is ``prefix`` or starts with ``prefix.`` (a range, as ``ReportQuery``'s)."""
    return or_(column == prefix, and_(column >= prefix + ".", column < prefix + "/"))


def _months(first_day: date, last_day: date) -> tuple[str, str]:
    return first_day.strftime("%Y-%m"), last_day.strftime("%Y-%m")


async def area_tallies(
    session: AsyncSession, prefix: str, first_day: date, last_day: date, *, today: date
) -> dict[str, Tally]:
    """Per area code filed under ``prefix`` (a desa's, or a higher level's for reports filed
    without a desa): the Tally of the reports filed in the whole months from ``first_day``'s
    to ``last_day``'s, with the medians' histograms."""
    low, high = _months(first_day, last_day)
    found: dict[str, Tally] = {}
    m = ReportRegionMonth
    sums = select(m).where(_under(m.region_code, prefix), m.month >= low, m.month <= high)
    for row in await session.scalars(sums):
        part = found.setdefault(row.region_code, Tally())
        for count in ROLLED:
            value = getattr(row, str(count.rollup))
            setattr(part, count.field, getattr(part, count.field) + value)
    # Open stages past their deadline: only reports with one (coalesce keeps the area index off).
    r = Report
    area = func.coalesce(r.region_code, r.region_code)
    late = (
        _open_where(ReportQuery(first_day=first_day, last_day=last_day), select(Report))
        .with_only_columns(
            r.region_code,
            *(_count_if(condition_sql(c.today, today=today)) for c in OPEN_LATE if c.today),
        )
        .where(*_past_stage_due(today), _under(area, prefix))
        .group_by(r.region_code)
    )
    for code, *counts in await session.execute(late):
        part = found.setdefault(str(code), Tally())
        for count, value in zip(OPEN_LATE, counts, strict=True):
            setattr(part, count.field, getattr(part, count.field) + int(value or 0))
    d = ReportRegionDays
    days = (
        select(d.region_code, d.measure, d.days, func.sum(d.n))
        .where(_under(d.region_code, prefix), d.month >= low, d.month <= high)
        .group_by(d.region_code, d.measure, d.days)
    )
    histograms: dict[str, dict[str, dict[int, int]]] = {}
    for code, measure, n_days, n in await session.execute(days):
        if n:
            per = histograms.setdefault(str(code), {}).setdefault(str(measure), {})
            per[int(n_days)] = int(n)
    for code, per_measure in histograms.items():
        with_days(found.setdefault(code, Tally()), per_measure)
    return found


def within(tallies: dict[str, Tally], code: str) -> Tally:
    """The sum of ``tallies`` of ``code`` and the areas under it."""
    total = Tally()
    for key, part in tallies.items():
        if key == code or key.startswith(code + "."):
            total.add(part)
    return total


def region_rebuild_statements(dialect: str) -> list[Any]:
    """INSERT … SELECT statements that fill the empty region roll-up from ``reports`` by the
    live definition of the indicators (after a bulk load with its triggers off, as
    :func:`storage.console.rebuild.rebuild_statements` for the unit roll-up)."""
    r = Report
    area = func.coalesce(r.region_code, "")
    month = _month(dialect)
    filed = r.created_on.is_not(None)
    out: list[Any] = [
        delete(ReportRegionMonth),
        delete(ReportRegionDays),
        insert(ReportRegionMonth).from_select(
            ["region_code", "month", *(str(count.rollup) for count in ROLLED)],
            select(area, month, *(stored_sum(count) for count in ROLLED))
            .where(filed)
            .group_by(area, month),
        ),
    ]
    for measure in MEASURES:
        days = getattr(r, measure)
        out.append(
            insert(ReportRegionDays).from_select(
                ["region_code", "month", "measure", "days", "n"],
                select(area, month, literal(measure, String), days, func.count())
                .where(filed, days.is_not(None))
                .group_by(area, month, days),
            )
        )
    return out
