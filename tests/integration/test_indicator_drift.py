"""The indicators counted three ways agree on random report histories: by their definition
(``core.indicators.tally_of`` over the rows), by the console's live statements over ``reports``
(compiled from that definition), and from the roll-up the triggers of migration 0010 keep (their
frozen copy of it) with the open stages counted against today."""

from __future__ import annotations

import asyncio
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from core.deadlines import UNIT_STAGES
from core.indicators import tally_of
from core.performance import Tally
from storage.console import ReportQuery, day_counts, rolled_up, tallies, with_days
from storage.db import create_engine, session_factory
from storage.models import Citizen, Report
from tests.databases import migrate_for_test
from tests.unit.test_indicators import histories

STAGES = sorted(UNIT_STAGES)
#: Every day filed: the roll-up answers it. With ``created_from`` the reports are added up.
ROLLED = ReportQuery(first_day=date(2000, 1, 1))
LIVE = ReportQuery(first_day=date(2000, 1, 1), created_from=datetime(2000, 1, 1, tzinfo=UTC))
_STORED = {column.key for column in Report.__table__.columns}
_MIGRATED: set[str] = set()


def _total(parts: dict[int | None, Tally], days: dict[Any, dict[str, dict[int, int]]]) -> Tally:
    total = Tally()
    for part in parts.values():
        total.add(part)
    return with_days(total, days.get(None, {}))


def _values(tally: Tally) -> dict[str, Any]:
    return {f.name: getattr(tally, f.name) for f in fields(Tally)}


async def _counted(url: str, rows: list[dict[str, Any]], today: date) -> tuple[Tally, Tally]:
    if url not in _MIGRATED:
        await migrate_for_test(url)
        _MIGRATED.add(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(Report))
            await connection.execute(delete(Citizen))
            now = datetime(2026, 1, 1, tzinfo=UTC)
            citizen = await connection.scalar(
                insert(Citizen)
                .values(
                    channel="telegram",
                    user_id="1",
                    chat_id="1",
                    consent_at=now,
                    consent_version="1",
                    created_at=now,
                )
                .returning(Citizen.id)
            )
            for i, row in enumerate(rows):
                stored = {k: v for k, v in row.items() if k in _STORED}
                await connection.execute(
                    insert(Report).values(
                        **stored,
                        tracking_no=f"H{i:04d}",
                        citizen_id=citizen,
                        channel="telegram",
                        category="jalan",
                        region_code="64.08",
                        description="acak",
                        privacy="biasa",
                        created_at=now,
                        updated_at=now,
                    )
                )
        async with session_factory(engine)() as session:
            assert rolled_up(ROLLED)
            assert not rolled_up(LIVE)
            found = []
            for query in (LIVE, ROLLED):
                parts = await tallies(session, query, today=today, unit_stages=STAGES)
                found.append(_total(parts, await day_counts(session, query, None)))
    finally:
        await engine.dispose()
    return found[0], found[1]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(histories(), min_size=1, max_size=8), st.data())
def test_live_statements_and_rollup_count_what_the_definition_says(
    database_url: str,
    reports: list[tuple[dict[str, Any], date]],
    data: st.DataObject,
) -> None:
    rows = [row for row, _ in reports]
    # Today: after every change, or on a deadline or the day after one (the edges of "late").
    edges = {row[k] for row in rows for k in ("stage_due", "due_date") if row[k] is not None}
    days = sorted({max(on for _, on in reports), *edges, *(d + timedelta(days=1) for d in edges)})
    today = data.draw(st.sampled_from(days), label="today")
    live, rolled = asyncio.run(_counted(database_url, rows, today))
    defined = _values(tally_of(rows, today))
    assert _values(live) == defined
    assert _values(rolled) == defined
