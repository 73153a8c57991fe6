"""The category × unit and category × area tables: one grouped count of a period's reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.console.indicators import condition_sql, count_named
from storage.console.query import ReportQuery, _count_if, _where
from storage.models import Report


@dataclass(frozen=True)
class Cross:
    """The reports of one category, holding unit and area code: received, still open, and late
    now (in a unit stage past its deadline, as the overview's "late now")."""

    category: str
    unit_id: int | None
    region_code: str
    received: int
    still_open: int
    late: int


def cross_statement(
    query: ReportQuery, *, open_statuses: Sequence[str], unit_stages: Sequence[str], today: date
) -> Any:
    late = count_named("late_now").today
    assert late is not None
    r = Report
    return (
        _where(query, select(Report))
        .with_only_columns(
            r.category,
            r.unit_id,
            r.region_code,
            func.count(),
            _count_if(r.status.in_(list(open_statuses))),
            _count_if(condition_sql(late, today=today, sets={"unit_stages": unit_stages})),
        )
        .group_by(r.category, r.unit_id, r.region_code)
    )


async def cross_counts(
    session: AsyncSession,
    query: ReportQuery,
    *,
    open_statuses: Sequence[str],
    unit_stages: Sequence[str],
    today: date,
) -> list[Cross]:
    """The query's reports per (category, holding unit, area code), counted in the database."""
    stmt = cross_statement(query, open_statuses=open_statuses, unit_stages=unit_stages, today=today)
    return [
        Cross(str(c), u, str(code or ""), int(n), int(o or 0), int(late or 0))
        for c, u, code, n, o, late in await session.execute(stmt)
    ]
