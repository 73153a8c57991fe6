"""The indicators' one definition (``core.indicators``) against the measurement of each report
(``core.performance``): random report histories, folded into the stored stage columns as the
writer keeps them, give the same figures counted by the definition as measured report by report.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import WorkingCalendar
from core.deadlines import UNIT_STAGES, DeadlinePolicy
from core.indicators import COUNTS, ROLLED, IsSet, IsTrue, holds, tally_of
from core.lifecycle import ALLOWED_TRANSITIONS, ReportStatus, ReportType
from core.performance import (
    TALLY_SUMS,
    Measured,
    Moments,
    Step,
    handling_of,
    indicators,
    moments,
    stage_limits,
)
from storage.models import ROLLUP_SUMS

CAL = WorkingCalendar()
POLICY = DeadlinePolicy()


@st.composite
def histories(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    """One report as stored (its columns) and the day of its last status change: filed, moved
    along the allowed status changes, its stages folded as the writer keeps them."""
    created_on = draw(st.dates(date(2026, 1, 2), date(2026, 11, 30)))
    report_type = draw(st.sampled_from(sorted(ReportType)))
    pengawasan = draw(st.booleans())
    status = ReportStatus.BARU
    on = created_on
    steps: list[Step] = []
    for _ in range(draw(st.integers(0, 8))):
        after = sorted(ALLOWED_TRANSITIONS[status])
        if not after:
            break
        on += timedelta(days=draw(st.integers(0, 12)))
        following = draw(st.sampled_from(after))
        steps.append(Step(on, status, following))
        status = following
    limits = stage_limits(POLICY, report_type, pengawasan=pengawasan)
    row = {
        **asdict(moments(created_on, steps, limits, CAL)),
        "status": status,
        "report_type": report_type,
        "rating": draw(st.none() | st.integers(1, 5)),
        "due_date": draw(st.none() | st.dates(created_on, created_on + timedelta(days=30))),
    }
    return row, on


def _measured(row: dict[str, Any], today: date) -> Measured:
    """The report measured by itself (``core.performance``), as the console once did."""
    kept = Moments(**{name: row[name] for name in Moments.__dataclass_fields__})
    due = row["due_date"]
    late_now = row["status"] in UNIT_STAGES and due is not None and due < today
    return Measured(
        row["report_type"], row["status"], handling_of(kept, today, CAL), late_now, row["rating"]
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(histories(), min_size=1, max_size=6), st.integers(0, 40))
def test_the_definition_counts_what_each_report_measures(
    reports: list[tuple[dict[str, Any], date]], later: int
) -> None:
    today = max(on for _, on in reports) + timedelta(days=later)
    rows = [row for row, _ in reports]
    assert tally_of(rows, today).indicators() == indicators([_measured(r, today) for r in rows])


@settings(max_examples=100, deadline=None)
@given(histories(), st.integers(0, 40))
def test_the_stored_and_the_today_parts_never_count_a_report_twice(
    report: tuple[dict[str, Any], date], later: int
) -> None:
    row, on = report
    today = on + timedelta(days=later)
    for count in COUNTS:
        if count.today is not None and isinstance(count.stored, IsTrue | IsSet):
            both = holds(count.stored, row, today) and holds(count.today, row, today)
            assert not both, count.field


def test_the_counts_are_the_tally_and_the_rollup_columns() -> None:
    assert tuple(c.field for c in COUNTS) == TALLY_SUMS
    assert tuple(c.rollup for c in ROLLED) == ROLLUP_SUMS
