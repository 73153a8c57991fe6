"""The indicators of ``core.indicators`` written as SQL over ``reports``: the one place their
conditions become SQLAlchemy expressions (the live statements and the roll-up rebuild use these).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from core.indicators import (
    COUNTS,
    SETS,
    All,
    Always,
    AtLeast,
    BeforeToday,
    Condition,
    Count,
    InSet,
    IsSet,
    IsTrue,
    NotSet,
    Summed,
)
from storage.console.query import _count_if
from storage.models import Report

#: The counts of a day filed (``storage.console.tallies.Day``), in its order.
DAILY_SUMS = ("received", "verify_on_time", "verify_judged")
#: The counts of open stages past their deadline (added to the roll-up's ended stages).
OPEN_LATE = tuple(c for c in COUNTS if c.today is not None and c.rollup is not None)


def _column(name: str) -> InstrumentedAttribute[Any]:
    found: InstrumentedAttribute[Any] = getattr(Report, name)
    return found


def condition_sql(
    condition: Condition,
    *,
    today: date | None = None,
    sets: Mapping[str, Sequence[str]] | None = None,
) -> ColumnElement[bool]:
    """``condition`` over the ``reports`` row (``today``: needed by :class:`BeforeToday`;
    ``sets``: the named sets, core's by default)."""
    match condition:
        case Always():
            return true()
        case IsTrue(column):
            return _column(column).is_(True)
        case IsSet(column):
            return _column(column).is_not(None)
        case NotSet(column):
            return _column(column).is_(None)
        case AtLeast(column, value):
            return _column(column) >= value
        case BeforeToday(column):
            assert today is not None, "a condition on today needs today"
            return _column(column) < today
        case InSet(column, name):
            chosen = (sets or {}).get(name)
            values = sorted(SETS[name]) if chosen is None else list(chosen)
            return _column(column).in_(values)
        case All(parts):
            return and_(*(condition_sql(p, today=today, sets=sets) for p in parts))
    raise TypeError(condition)


def stored_sum(count: Count) -> ColumnElement[Any]:
    """What ``count`` keeps in the roll-up, added up over a group of reports (no today)."""
    part = count.stored
    if isinstance(part, Summed):
        return func.coalesce(func.sum(_column(part.column)), 0)
    if isinstance(part, Always):
        return func.count()
    assert part is not None, count.field
    return _count_if(condition_sql(part))


def live_sum(
    count: Count, *, today: date, sets: Mapping[str, Sequence[str]] | None = None
) -> ColumnElement[Any]:
    """``count`` added up over a group of reports on ``today``: both parts."""
    if count.today is None:
        return stored_sum(count)
    late = condition_sql(count.today, today=today, sets=sets)
    if count.stored is None:
        return _count_if(late)
    assert not isinstance(count.stored, Summed | Always), count.field
    return _count_if(or_(condition_sql(count.stored), late))


def count_named(field: str) -> Count:
    """The count of the Tally field ``field``."""
    for count in COUNTS:
        if count.field == field:
            return count
    raise KeyError(field)
