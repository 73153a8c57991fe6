"""The roll-up (migration 0010): the whole days and months of a period read from its tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.indicators import ROLLED
from core.lifecycle import ReportType
from core.performance import Tally
from storage.console.indicators import DAILY_SUMS, OPEN_LATE, condition_sql, count_named
from storage.console.query import ReportQuery, _count_if
from storage.models import (
    ROLLUP_MEASURES,
    ROLLUP_STATUSES,
    ROLLUP_TYPES,
    Report,
    ReportDay,
    ReportMonthCategory,
    ReportMonthDays,
)

# --- the roll-up (migration 0010) -----------------------------------------------------------
#
# ``report_rollup`` holds, per holding unit and day filed, every count of the overview that does
# not depend on today; ``report_rollup_categories`` and ``report_rollup_days`` hold the
# categories and the medians' day histograms per unit and month filed. Database triggers on
# ``reports`` keep them. What depends on today (open stages past their deadline, late now) is
# counted from the reports with an open stage past its deadline (``ix_reports_stage_due``) or a
# unit stage past its due date (``ix_reports_status_due``): the open reports, a few percent.


def rolled_up(query: ReportQuery) -> bool:
    """Whether the roll-up answers ``query``: a period of days filed, and at most the viewer's
    units as a filter (the console's overview, unit table and rekap)."""
    if query.first_day is None and query.last_day is None:
        return False
    return not (
        query.created_from is not None
        or query.created_before is not None
        or query.status
        or query.unit_id is not None
        or query.category
        or query.report_type
        or query.region_prefix
        or query.late_on is not None
        or query.tracking
    )


def _month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


Months = tuple[str | None, str | None]
_DAY = timedelta(days=1)


def _month_split(query: ReportQuery) -> tuple[Months | None, list[ReportQuery]]:
    """The whole months filed inside the query's period (first and last ``YYYY-MM``, None:
    unbounded; None when there are none) and the queries of the days outside them at its ends
    (the period itself when it holds no whole month)."""
    first, last = query.first_day, query.last_day
    if first is not None and last is not None and last < first:
        return None, []
    # The first day of the first whole month, and the last day of the last one.
    begins = None if first is None else first if first.day == 1 else _month_end(first) + _DAY
    ends = (
        None if last is None else last if last == _month_end(last) else last.replace(day=1) - _DAY
    )
    if begins is not None and ends is not None and begins > ends:
        return None, [query]
    edges: list[ReportQuery] = []
    if first is not None and begins is not None and first < begins:
        edges.append(replace(query, first_day=first, last_day=begins - _DAY))
    if last is not None and ends is not None and ends < last:
        edges.append(replace(query, first_day=ends + _DAY, last_day=last))
    low = None if begins is None else _month_key(begins)
    high = None if ends is None else _month_key(ends)
    return (low, high), edges


def _units_filter(query: ReportQuery, column: Any) -> list[ColumnElement[bool]]:
    return [] if query.visible is None else [column.in_(sorted(query.visible))]


def _days_filter(query: ReportQuery) -> list[ColumnElement[bool]]:
    found = _units_filter(query, ReportDay.unit_key)
    if query.first_day is not None:
        found.append(ReportDay.day >= query.first_day)
    if query.last_day is not None:
        found.append(ReportDay.day <= query.last_day)
    return found


def _months_filter(
    query: ReportQuery, months: Months, table: type[ReportMonthCategory] | type[ReportMonthDays]
) -> list[ColumnElement[bool]]:
    found = _units_filter(query, table.unit_key)
    if months[0] is not None:
        found.append(table.month >= months[0])
    if months[1] is not None:
        found.append(table.month <= months[1])
    return found


def rollup_tally_statement(query: ReportQuery) -> Any:
    """Per holding unit (``unit_key``): the sums of the roll-up's columns over the period."""
    d = ReportDay
    columns = (
        *(getattr(d, count.rollup) for count in ROLLED if count.rollup),
        *(getattr(d, f"type_{t}") for t in ROLLUP_TYPES),
        *(getattr(d, f"status_{s}") for s in ROLLUP_STATUSES),
    )
    return (
        select(d.unit_key, *(func.sum(c) for c in columns))
        .where(*_days_filter(query))
        .group_by(d.unit_key)
        .having(func.sum(d.received) > 0)
    )


def _open_where(query: ReportQuery, stmt: Select[Any]) -> Select[Any]:
    """The query's period and units, written over ``coalesce(…)`` of the columns so that no
    index on them is chosen: the few reports with an open stage past its deadline are found
    by ``ix_reports_stage_due`` and ``ix_reports_status_due`` instead of a scan of the period
    (the same rows: ``visible`` never holds 0)."""
    r = Report
    if query.visible is not None:
        stmt = stmt.where(func.coalesce(r.unit_id, 0).in_(sorted(query.visible)))
    filed = func.coalesce(r.created_on, r.created_on)
    if query.first_day is not None:
        stmt = stmt.where(filed >= query.first_day)
    if query.last_day is not None:
        stmt = stmt.where(filed <= query.last_day)
    return stmt


def _past_stage_due(today: date) -> list[ColumnElement[bool]]:
    """``stage_due < today``, with a lower bound every date meets: SQLite's planner rates a
    range closed at both ends as narrow and reads ``ix_reports_stage_due``; with one end only it
    scans a whole covering index of ``reports`` instead (about 1 s at 1,000,000 reports)."""
    return [Report.stage_due >= date.min, Report.stage_due < today]


def open_tally_statement(query: ReportQuery, *, today: date) -> Any:
    """Per holding unit: the stages open past their deadline (``OPEN_LATE``: verifications,
    follow-ups and finishes), from the reports with an open stage past its deadline only
    (``ix_reports_stage_due``)."""
    r = Report
    return (
        _open_where(query, select(Report))
        .with_only_columns(
            r.unit_id,
            *(_count_if(condition_sql(c.today, today=today)) for c in OPEN_LATE if c.today),
        )
        .where(*_past_stage_due(today))
        .group_by(r.unit_id)
    )


def _late_now(today: date, unit_stages: Sequence[str]) -> ColumnElement[bool]:
    late = count_named("late_now").today
    assert late is not None
    return condition_sql(late, today=today, sets={"unit_stages": unit_stages})


def late_now_statement(query: ReportQuery, *, today: date, unit_stages: Sequence[str]) -> Any:
    """Per holding unit: reports in a unit stage past their due date (``ix_reports_status_due``
    or ``ix_reports_unit_status_due``)."""
    r = Report
    return (
        _open_where(query, select(Report))
        .with_only_columns(r.unit_id, func.count())
        .where(_late_now(today, unit_stages))
        .group_by(r.unit_id)
    )


async def _rolled_tallies(
    session: AsyncSession, query: ReportQuery, *, today: date, unit_stages: Sequence[str]
) -> dict[int | None, Tally]:
    found: dict[int | None, Tally] = {}
    width = len(ROLLED)
    for row in await session.execute(rollup_tally_statement(query)):
        values = [int(v or 0) for v in row[1:]]
        kinds = values[width : width + len(ROLLUP_TYPES)]
        statuses = values[width + len(ROLLUP_TYPES) :]
        part = Tally(
            by_type={k: n for k, n in zip(ROLLUP_TYPES, kinds, strict=True) if n},
            by_status={k: n for k, n in zip(ROLLUP_STATUSES, statuses, strict=True) if n},
        )
        for count, value in zip(ROLLED, values[:width], strict=True):
            setattr(part, count.field, value)
        found[int(row[0]) or None] = part
    for unit, *late in await session.execute(open_tally_statement(query, today=today)):
        part = found.setdefault(unit, Tally())
        for count, value in zip(OPEN_LATE, late, strict=True):
            setattr(part, count.field, getattr(part, count.field) + int(value or 0))
    stmt = late_now_statement(query, today=today, unit_stages=unit_stages)
    for unit, late in await session.execute(stmt):
        found.setdefault(unit, Tally()).late_now += int(late or 0)
    return found


def rollup_daily_statement(query: ReportQuery) -> Any:
    """Per day filed: received, verified on time, verifications ended, by class. For all units
    from ``ix_report_rollup_by_day`` in day order (its key is ``coalesce(day, day)``, written
    the same here); for some units by the table's key, theirs."""
    d = ReportDay
    if query.visible is None:
        day: Any = func.coalesce(d.day, d.day)
        found: list[ColumnElement[bool]] = []
        if query.first_day is not None:
            found.append(day >= query.first_day)
        if query.last_day is not None:
            found.append(day <= query.last_day)
    else:
        day, found = d.day, _days_filter(query)
    return (
        select(
            day,
            *(func.sum(getattr(d, str(count_named(name).rollup))) for name in DAILY_SUMS),
            *(func.sum(getattr(d, f"type_{t}")) for t in ReportType),
        )
        .where(*found)
        .group_by(day)
        .having(func.sum(d.received) > 0)
        .order_by(day)
    )


def open_verify_statement(query: ReportQuery, today: date) -> Any:
    """Per day filed: verifications still open past their deadline."""
    r = Report
    verify_late = count_named("verify_judged").today
    assert verify_late is not None
    return (
        _open_where(query, select(Report))
        .with_only_columns(r.created_on, func.count())
        .where(*_past_stage_due(today), condition_sql(verify_late, today=today))
        .group_by(r.created_on)
    )


def rollup_category_statement(query: ReportQuery, months: Months) -> Any:
    c = ReportMonthCategory
    return (
        select(c.category, func.sum(c.n))
        .where(*_months_filter(query, months, c))
        .group_by(c.category)
    )


def rollup_days_statement(query: ReportQuery, months: Months, *, by_unit: bool) -> Any:
    h = ReportMonthDays
    keys: list[Any] = [h.unit_key] if by_unit else [literal(0)]
    groups: list[Any] = [h.unit_key] if by_unit else []
    return (
        select(*keys, h.measure, h.days, func.sum(h.n))
        .where(*_months_filter(query, months, h), h.measure.in_(ROLLUP_MEASURES))
        .group_by(*groups, h.measure, h.days)
    )
