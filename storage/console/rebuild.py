"""The roll-up rebuilt from the reports, by the live definition of the indicators
(``core.indicators``): what a bulk load that bypassed the triggers runs afterwards (the bench),
and what a test compares with the tables the triggers of migration 0010 kept.

The tables must be empty first (:func:`clear_statements`); a report without a day filed is not
counted, as the triggers do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
)

from core.indicators import MEASURES, ROLLED, STATUSES, TYPES
from storage.console.indicators import stored_sum
from storage.console.query import _count_if
from storage.models import Report, ReportDay, ReportMonthCategory, ReportMonthDays


def _month(dialect: str) -> ColumnElement[str]:
    """The month filed, ``YYYY-MM``."""
    if dialect == "postgresql":
        # Written out, not bound: PostgreSQL matches the SELECT's expression with the GROUP BY's
        # only when they are the same text.
        return func.to_char(Report.created_on, literal_column("'YYYY-MM'"))
    return func.substr(Report.created_on, 1, 7)


def clear_statements() -> list[Any]:
    return [delete(ReportDay), delete(ReportMonthCategory), delete(ReportMonthDays)]


def rebuild_statements(dialect: str) -> list[Any]:
    """INSERT … SELECT statements that fill the empty roll-up tables from ``reports``
    (``dialect``: ``sqlite`` or ``postgresql``, for the month filed)."""
    r = Report
    unit = func.coalesce(r.unit_id, 0)
    month = _month(dialect)
    filed = r.created_on.is_not(None)
    names = [
        *(str(count.rollup) for count in ROLLED),
        *(f"type_{kind}" for kind in TYPES),
        *(f"status_{status}" for status in STATUSES),
    ]
    sums = [
        *(stored_sum(count) for count in ROLLED),
        *(_count_if(r.report_type == kind) for kind in TYPES),
        *(_count_if(r.status == status) for status in STATUSES),
    ]
    out: list[Any] = [
        insert(ReportDay).from_select(
            ["unit_key", "day", *names],
            select(unit, r.created_on, *sums).where(filed).group_by(unit, r.created_on),
        ),
        insert(ReportMonthCategory).from_select(
            ["unit_key", "month", "category", "n"],
            select(unit, month, r.category, func.count())
            .where(filed)
            .group_by(unit, month, r.category),
        ),
    ]
    for measure in MEASURES:
        days = getattr(r, measure)
        out.append(
            insert(ReportMonthDays).from_select(
                ["unit_key", "month", "measure", "days", "n"],
                select(unit, month, literal(measure, String), days, func.count())
                .where(filed, days.is_not(None))
                .group_by(unit, month, days),
            )
        )
    return out
