"""The overview's reads that used to grow with the number of reports stay bounded (issue 27:
every page within 1 s at 1,000,000 reports): on SQLite their plans read the small sets they
need (the reports rated with a comment, the open reports, the roll-up's histograms in order),
never every report of the period or of the database. With and without SQLite's statistics
(the bench runs ANALYZE, a live database does not). That the figures stay right is checked in
tests/integration/test_console_periods.py (the comments and the ageing against a recount)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from core.lifecycle import OPEN_STATUSES
from storage.console import ReportQuery
from storage.console.reports import rated_statement
from storage.console.rollup import (
    _month_split,
    rollup_daily_statement,
    rollup_days_statement,
    rollup_tally_statement,
)
from storage.console.tallies import open_by_day_statement
from storage.db import create_engine
from tests.databases import migrate_for_test

TWO_YEARS = ReportQuery(first_day=date(2024, 11, 25), last_day=date(2026, 11, 25))
A_KECAMATAN = frozenset({3, 4, 5})
OPEN = tuple(s.value for s in OPEN_STATUSES)


async def _plan(connection: AsyncConnection, stmt: Any) -> list[str]:
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
    return [str(row[-1]) for row in plan]


def _statements() -> list[tuple[str, Any, str]]:
    """(name, statement, the index its plan must read) of the overview's bounded reads."""
    months, _ = _month_split(TWO_YEARS)
    assert months is not None
    found: list[tuple[str, Any, str]] = []
    for visible in (None, A_KECAMATAN):
        query = ReportQuery(visible=visible, first_day=TWO_YEARS.first_day, last_day=date.today())
        found += [
            (f"comments {visible}", rated_statement(query, limit=20), "ix_reports_rated_comments"),
            (
                f"ageing {visible}",
                open_by_day_statement(ReportQuery(visible=visible), OPEN),
                "ix_reports_status_due",
            ),
        ]
    found += [
        (
            "histograms of all units",
            rollup_days_statement(TWO_YEARS, months, by_unit=False),
            "ix_report_rollup_days_measure",
        ),
        ("per day of all units", rollup_daily_statement(TWO_YEARS), "ix_report_rollup_by_day"),
        # The per-unit sums keep the table's key (the per-day index is no key for them).
        ("per unit", rollup_tally_statement(TWO_YEARS), "report_rollup"),
    ]
    return found


@pytest.mark.parametrize("statistics", [False, True])
async def test_the_overviews_reads_use_their_bounded_indexes(
    tmp_path: Path, statistics: bool
) -> None:
    # Query plans are SQLite's: this test runs on a SQLite file only (PostgreSQL's figures are
    # checked by the property test of the periods, test_console_periods.py).
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'plans.db'}"
    await migrate_for_test(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            if statistics:
                await connection.execute(text("ANALYZE"))
            for name, stmt, index in _statements():
                steps = await _plan(connection, stmt)
                assert any(index in step for step in steps), (name, steps)
                # Never a walk of a whole index or table of the reports.
                assert not any(
                    step.startswith("SCAN reports") and "rated" not in step for step in steps
                ), (name, steps)
                if name == "per unit":
                    assert not any("ix_report_rollup_by_day" in step for step in steps), steps
                elif not name.startswith("ageing"):
                    assert not any("TEMP B-TREE" in step for step in steps), (name, steps)
    finally:
        await engine.dispose()
