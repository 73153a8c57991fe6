"""The indicators, added up in the database: per unit, per day, per category, per area."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core.indicators import COUNTS
from core.lifecycle import ReportStatus, ReportType
from core.performance import TALLY_SUMS, Tally
from storage.console.indicators import DAILY_SUMS, count_named, live_sum
from storage.console.query import ReportQuery, _count_if, _where
from storage.console.rollup import (
    _month_split,
    _open_where,
    _rolled_tallies,
    open_verify_statement,
    rolled_up,
    rollup_category_statement,
    rollup_daily_statement,
    rollup_days_statement,
)
from storage.models import Report


def region_statement(query: ReportQuery, open_statuses: Sequence[str]) -> Any:
    """Per area code (``ix_reports_console_regions``): reports, and how many still open."""
    still_open = _count_if(Report.status.in_(list(open_statuses)))
    stmt = _where(query, select(Report)).with_only_columns(
        Report.region_code, func.count(), still_open
    )
    return stmt.group_by(Report.region_code)


def open_by_day_statement(query: ReportQuery, open_statuses: Sequence[str]) -> Any:
    """Per day filed, the query's open reports: from the open ones only
    (``ix_reports_status_due`` holds the day filed and the unit). Grouped by ``coalesce(…)`` of
    the day so that SQLite does not walk an index in day order instead, which reads every
    report (its statistics do not tell how few are open); for a few units (a kecamatan) their
    ids likewise, or it reads all their reports by ``ix_reports_console_units``."""
    filed = func.coalesce(Report.created_on, Report.created_on)
    plain = replace(query, visible=None, first_day=None, last_day=None) == ReportQuery()
    return (
        (_open_where if plain else _where)(query, select(Report))
        .where(Report.status.in_(list(open_statuses)))
        .with_only_columns(filed, func.count())
        .group_by(filed)
    )


async def open_by_day(
    session: AsyncSession, query: ReportQuery, open_statuses: Sequence[str]
) -> list[tuple[date, int]]:
    """How many of the query's reports are still open, per day they came in."""
    stmt = open_by_day_statement(query, open_statuses)
    return [(day, int(n)) for day, n in (await session.execute(stmt)).all() if day is not None]


async def counts_by_region(
    session: AsyncSession, query: ReportQuery, open_statuses: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """``region code -> (reports, still open)`` of the query's reports, counted in the database."""
    rows = await session.execute(region_statement(query, open_statuses))
    return {str(code): (int(n), int(o or 0)) for code, n, o in rows}


# --- indicators, added up in the database ---------------------------------------------------
#
# Each statement groups by one column that leads a covering index (storage/models/reports.py), so
# SQLite reads the index in group order: no table rows, no sorting. Counts by class, status and
# category are conditional sums over their known values rather than more GROUP BY columns.


def _tally_columns(today: date, unit_stages: Sequence[str]) -> list[ColumnElement[Any]]:
    """The sums of :class:`core.performance.Tally` (in ``TALLY_SUMS`` order, as
    ``core.indicators.COUNTS`` defines them), then the counts by class and by status."""
    r = Report
    sets = {"unit_stages": unit_stages}
    return [
        *(live_sum(count, today=today, sets=sets) for count in COUNTS),
        *(_count_if(r.report_type == kind) for kind in ReportType),
        *(_count_if(r.status == status) for status in ReportStatus),
    ]


def tally_statement(query: ReportQuery, *, today: date, unit_stages: Sequence[str]) -> Any:
    """The query's reports added up per holding unit (``ix_reports_console_units``)."""
    stmt = _where(query, select(Report)).with_only_columns(
        Report.unit_id, *_tally_columns(today, unit_stages)
    )
    return stmt.group_by(Report.unit_id)


async def tallies(
    session: AsyncSession, query: ReportQuery, *, today: date, unit_stages: Sequence[str]
) -> dict[int | None, Tally]:
    """Per holding unit: the counts and sums of the indicators, by class and status included;
    no medians (see :func:`day_counts`). A period's query (:func:`rolled_up`) reads the roll-up
    and the open stages; any other adds up the reports."""
    if rolled_up(query):
        return await _rolled_tallies(session, query, today=today, unit_stages=unit_stages)
    found: dict[int | None, Tally] = {}
    width = len(TALLY_SUMS)
    stmt = tally_statement(query, today=today, unit_stages=unit_stages)
    for row in await session.execute(stmt):
        values = [int(v or 0) for v in row[1:]]
        part = Tally()
        for name, value in zip(TALLY_SUMS, values[:width], strict=True):
            setattr(part, name, value)
        kinds = values[width : width + len(ReportType)]
        part.by_type = {k: n for k, n in zip(ReportType, kinds, strict=True) if n}
        statuses = values[width + len(ReportType) :]
        part.by_status = {k: n for k, n in zip(ReportStatus, statuses, strict=True) if n}
        found[row[0]] = part
    return found


_STAGE_DAYS = {
    "verify_days": Report.verify_days,
    "follow_up_days": Report.follow_up_days,
    "finish_days": Report.finish_days,
}


def day_count_statement(query: ReportQuery, key: InstrumentedAttribute[Any] | None) -> Any:
    keys: list[Any] = [key] if key is not None else [literal(None)]
    parts = [
        _where(query, select(Report))
        .with_only_columns(*keys, literal(name), column, func.count())
        .where(column.is_not(None))
        .group_by(*([key] if key is not None else []), column)
        for name, column in _STAGE_DAYS.items()
    ]
    return union_all(*parts)


async def day_counts(
    session: AsyncSession, query: ReportQuery, key: InstrumentedAttribute[Any] | None
) -> dict[Any, dict[str, dict[int, int]]]:
    """Per value of ``key`` (None: all together, under the key None): for each stage, working
    days taken → how many reports (the medians' histograms; only ended stages have days;
    ``ix_reports_<stage>_days`` for the total). A period's query by holding unit or in total
    reads the whole months from the roll-up and only the period's partial months from the
    reports."""
    found: dict[Any, dict[str, dict[int, int]]] = {}

    def add(value: Any, name: str, days: int, n: int) -> None:
        if n:
            per = found.setdefault(value, {}).setdefault(name, {})
            per[days] = per.get(days, 0) + n

    parts: list[ReportQuery] = [query]
    if rolled_up(query) and (key is None or key is Report.unit_id):
        months, parts = _month_split(query)
        if months is not None:
            by_unit = key is not None
            for unit, name, days, n in await session.execute(
                rollup_days_statement(query, months, by_unit=by_unit)
            ):
                add((unit or None) if by_unit else None, str(name), int(days), int(n or 0))
    for part in parts:
        for value, name, days, n in await session.execute(day_count_statement(part, key)):
            add(value, str(name), int(days), int(n))
    return found


def with_days(tally: Tally, days: dict[str, dict[int, int]]) -> Tally:
    """``tally`` with the day histograms of :func:`day_counts` added."""
    for name, counts in days.items():
        mine: dict[int, int] = getattr(tally, name)
        for value, n in counts.items():
            mine[value] = mine.get(value, 0) + n
    return tally


@dataclass(frozen=True)
class Day:
    """The reports filed on one local day."""

    day: date
    received: int
    by_type: dict[str, int]
    verify_on_time: int
    verify_judged: int


def daily_statement(query: ReportQuery, today: date) -> Any:
    """Per day filed (``ix_reports_console_days``): reports, by class, verified on time,
    verifications judged."""
    r = Report
    counts = (count_named(name) for name in DAILY_SUMS)
    stmt = _where(query, select(Report)).with_only_columns(
        r.created_on,
        *(live_sum(count, today=today) for count in counts),
        *(_count_if(r.report_type == kind) for kind in ReportType),
    )
    return stmt.group_by(r.created_on).order_by(r.created_on)


async def daily(session: AsyncSession, query: ReportQuery, *, today: date) -> list[Day]:
    """The query's reports per day filed (from the roll-up for a period's query)."""
    rows: list[Sequence[Any]]
    if rolled_up(query):
        late = {
            day: int(n) for day, n in await session.execute(open_verify_statement(query, today))
        }
        rows = []
        for rolled in await session.execute(rollup_daily_statement(query)):
            values = list(rolled)
            values[3] = int(values[3] or 0) + late.get(rolled[0], 0)
            rows.append(values)
    else:
        rows = [tuple(row) for row in await session.execute(daily_statement(query, today))]
    found: list[Day] = []
    for row in rows:
        if row[0] is None:
            continue  # not submitted: no day filed
        values = [int(v or 0) for v in row[1:]]
        received, ok, judged = values[:3]
        kinds = dict(zip(ReportType, values[3 : 3 + len(ReportType)], strict=True))
        found.append(
            Day(
                day=row[0],
                received=received,
                by_type={k: n for k, n in kinds.items() if n},
                verify_on_time=ok,
                verify_judged=judged,
            )
        )
    return found


async def category_counts(
    session: AsyncSession, query: ReportQuery, categories: Sequence[str]
) -> dict[str, int]:
    """How many of the query's reports per category; a category no longer configured is
    counted under ``""``. Whole months from the roll-up for a period's query."""
    raw: dict[str, int] = {}
    parts: list[ReportQuery] = [query]
    if rolled_up(query):
        months, parts = _month_split(query)
        if months is not None:
            for code, n in await session.execute(rollup_category_statement(query, months)):
                raw[str(code)] = raw.get(str(code), 0) + int(n or 0)
    for part in parts:
        stmt = _where(part, select(Report)).with_only_columns(Report.category, func.count())
        for code, n in await session.execute(stmt.group_by(Report.category)):
            raw[str(code)] = raw.get(str(code), 0) + int(n)
    # In the configured order, then the rest under "".
    found = {code: raw.pop(code, 0) for code in categories}
    found[""] = found.get("", 0) + sum(raw.values())
    return {k: n for k, n in found.items() if n}
