"""The console's indicators, defined once: what each count of a :class:`~core.performance.Tally`
adds for one report, written as conditions over the report's stored columns.

A report row keeps its measured stages (:class:`~core.performance.Moments`: the day each stage
ended, the working days it took, whether it was on time, the open stage's deadline
``stage_due``). Each count here is a condition (or a summed column) over those columns, in two
parts: what does not depend on today (``stored``: kept per unit and day filed by the roll-up, in
its column ``rollup``), and what is judged against today (``today``: open stages past their
deadline, unit stages past their due date; always counted from the open reports). A report
counts once: the two parts never both hold for one row.

Storage compiles these conditions to SQL (the live statements of ``storage.console`` and the
roll-up rebuild); :func:`holds` and :func:`tally_of` evaluate them on plain rows, so a test can
set them beside the measurement of each report (``core.performance.handling``). The roll-up's
triggers in migration 0010 keep a frozen copy of the ``stored`` parts, written out as SQL; a
test compares the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from core.deadlines import UNIT_STAGES
from core.lifecycle import ReportStatus, ReportType
from core.performance import TALLY_SUMS, Tally

# --- conditions over a report row -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IsTrue:
    """The (boolean) column is true."""

    column: str


@dataclass(frozen=True, slots=True)
class IsSet:
    """The column is not NULL."""

    column: str


@dataclass(frozen=True, slots=True)
class NotSet:
    """The column is NULL."""

    column: str


@dataclass(frozen=True, slots=True)
class AtLeast:
    """The column is set and at least ``value``."""

    column: str
    value: int


@dataclass(frozen=True, slots=True)
class BeforeToday:
    """The (date) column is set and before today."""

    column: str


@dataclass(frozen=True, slots=True)
class InSet:
    """The column's value is one of the named set (``SETS``; a caller may name others)."""

    column: str
    name: str


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Always:
    """Every report (the count of rows)."""


Condition = IsTrue | IsSet | NotSet | AtLeast | BeforeToday | InSet | All | Always

#: The sets an :class:`InSet` names, as core defines them.
SETS: Final[Mapping[str, frozenset[str]]] = {"unit_stages": frozenset(UNIT_STAGES)}


@dataclass(frozen=True, slots=True)
class Summed:
    """The sum of a column (NULL counts 0)."""

    column: str


# --- the stages and the counts ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageColumns:
    """One measured stage's columns on the report row."""

    name: str  # verify, follow_up, finish (the Tally's and the histograms' prefix)
    started: str | None  # the column of the day it began (None: the day filed)
    ended: str
    on_time: str
    days: str

    def open(self) -> Condition:
        """The stage has begun and not ended."""
        began = () if self.started is None else (IsSet(self.started),)
        return All((*began, NotSet(self.ended)))


STAGES: Final = (
    StageColumns("verify", None, "verified_on", "verify_on_time", "verify_days"),
    StageColumns(
        "follow_up", "verified_on", "followed_up_on", "follow_up_on_time", "follow_up_days"
    ),
    StageColumns("finish", "followed_up_on", "finished_on", "finish_on_time", "finish_days"),
)


@dataclass(frozen=True, slots=True)
class Count:
    """One field of the Tally: ``stored`` (None: nothing) is kept by the roll-up in ``rollup``;
    ``today`` (None: nothing) is judged against today and never kept."""

    field: str
    stored: Condition | Summed | None
    rollup: str | None
    today: Condition | None = None


def _stage_counts(stage: StageColumns) -> tuple[Count, Count]:
    late_open = All((NotSet(stage.on_time), stage.open(), BeforeToday("stage_due")))
    return (
        Count(f"{stage.name}_on_time", IsTrue(stage.on_time), f"{stage.name}_on_time"),
        Count(f"{stage.name}_judged", IsSet(stage.on_time), f"{stage.name}_ended", late_open),
    )


#: The counts of a Tally, in ``core.performance.TALLY_SUMS`` order.
COUNTS: Final[tuple[Count, ...]] = (
    Count("received", Always(), "received"),
    *(count for stage in STAGES for count in _stage_counts(stage)),
    Count("late_now", None, None, All((InSet("status", "unit_stages"), BeforeToday("due_date")))),
    Count("reopened", IsTrue("reopened"), "reopened"),
    Count("rating_sum", Summed("rating"), "rating_sum"),
    Count("rated", IsSet("rating"), "rated"),
    Count("rated_good", AtLeast("rating", 4), "rated_good"),
)
assert tuple(c.field for c in COUNTS) == TALLY_SUMS

#: The counts the roll-up keeps, in the order of its columns.
ROLLED: Final = tuple(c for c in COUNTS if c.rollup is not None)
#: The classes and statuses counted one column each (``by_type``, ``by_status``).
TYPES: Final = tuple(t.value for t in ReportType)
STATUSES: Final = tuple(s.value for s in ReportStatus)
#: The histograms of the days ended stages took (the medians).
MEASURES: Final = tuple(stage.days for stage in STAGES)


# --- evaluated on plain rows ----------------------------------------------------------------------


def holds(
    condition: Condition,
    row: Mapping[str, Any],
    today: date,
    sets: Mapping[str, frozenset[str]] = SETS,
) -> bool:
    """Whether ``condition`` holds for ``row`` (column name → value) on ``today``."""
    match condition:
        case Always():
            return True
        case IsTrue(column):
            return row[column] is True
        case IsSet(column):
            return row[column] is not None
        case NotSet(column):
            return row[column] is None
        case AtLeast(column, value):
            return row[column] is not None and row[column] >= value
        case BeforeToday(column):
            return row[column] is not None and row[column] < today
        case InSet(column, name):
            return row[column] in sets[name]
        case All(parts):
            return all(holds(part, row, today, sets) for part in parts)
    raise TypeError(condition)


def _adds(part: Condition | Summed | None, row: Mapping[str, Any], today: date) -> int:
    if part is None:
        return 0
    if isinstance(part, Summed):
        return int(row[part.column] or 0)
    return int(holds(part, row, today))


def tally_of(rows: Iterable[Mapping[str, Any]], today: date) -> Tally:
    """The Tally of ``rows`` (the columns of reports filed), the histograms included."""
    tally = Tally()
    for row in rows:
        for count in COUNTS:
            added = _adds(count.stored, row, today) + _adds(count.today, row, today)
            setattr(tally, count.field, getattr(tally, count.field) + added)
        for name, key in (("by_type", row["report_type"]), ("by_status", row["status"])):
            found: dict[str, int] = getattr(tally, name)
            found[str(key)] = found.get(str(key), 0) + 1
        for stage in STAGES:
            days = row[stage.days]
            if days is not None:
                histogram: dict[int, int] = getattr(tally, stage.days)
                histogram[days] = histogram.get(days, 0) + 1
    return tally
