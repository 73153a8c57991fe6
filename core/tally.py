"""A set of reports in numbers: the console's :class:`Indicators` of a unit or a period, from
each report's measured :class:`~core.performance.Handling` (:func:`indicators`) or from the sums a
database adds up instead (:class:`Tally`). ``core.performance`` measures one report and names
these too, so its importers keep their names.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: core.performance re-exports this module's names
    from core.performance import Handling, Stage


@dataclass(frozen=True, slots=True)
class Measured:
    """What the indicators need of one report."""

    report_type: str
    status: str
    handling: Handling
    late_now: bool
    rating: int | None


@dataclass(frozen=True, slots=True)
class Indicators:
    """A set of reports in numbers (a unit's row, or the whole period)."""

    received: int
    by_type: dict[str, int]
    by_status: dict[str, int]
    verify_on_time: float | None
    follow_up_on_time: float | None
    finish_on_time: float | None
    verify_median_days: float | None
    follow_up_median_days: float | None
    finish_median_days: float | None
    late_now: int
    reopened: int
    rating_average: float | None
    rating_good_share: float | None
    rated: int


def _share(stages: Iterable[Stage]) -> float | None:
    decided = [s.on_time for s in stages if s.on_time is not None]
    return sum(decided) / len(decided) if decided else None


def _median(stages: Iterable[Stage]) -> float | None:
    days = [s.days for s in stages if s.ended_on is not None and s.days is not None]
    return float(statistics.median(days)) if days else None


def indicators(items: Sequence[Measured]) -> Indicators:
    """Counts, on-time shares (0–1), medians in working days, lateness and satisfaction."""
    by_type: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for item in items:
        by_type[item.report_type] = by_type.get(item.report_type, 0) + 1
        by_status[item.status] = by_status.get(item.status, 0) + 1
    ratings = [i.rating for i in items if i.rating is not None]
    return Indicators(
        received=len(items),
        by_type=by_type,
        by_status=by_status,
        verify_on_time=_share(i.handling.verify for i in items),
        follow_up_on_time=_share(i.handling.follow_up for i in items),
        finish_on_time=_share(i.handling.finish for i in items),
        verify_median_days=_median(i.handling.verify for i in items),
        follow_up_median_days=_median(i.handling.follow_up for i in items),
        finish_median_days=_median(i.handling.finish for i in items),
        late_now=sum(i.late_now for i in items),
        reopened=sum(i.handling.reopened for i in items),
        rating_average=sum(ratings) / len(ratings) if ratings else None,
        rating_good_share=sum(r >= 4 for r in ratings) / len(ratings) if ratings else None,
        rated=len(ratings),
    )


#: The plain counts of a :class:`Tally` (summed field by field; storage reads them in this order).
TALLY_SUMS = (
    "received",
    "verify_on_time",
    "verify_judged",
    "follow_up_on_time",
    "follow_up_judged",
    "finish_on_time",
    "finish_judged",
    "late_now",
    "reopened",
    "rating_sum",
    "rated",
    "rated_good",
)


@dataclass(slots=True)
class Tally:
    """Sums over a set of reports from which :class:`Indicators` follow: what a database
    adds up (``GROUP BY``) instead of measuring each report. Shares count the stages judged
    (ended, or open past their deadline); ``*_days`` are histograms of the working days ended
    stages took (days → reports), for the medians."""

    received: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    verify_on_time: int = 0
    verify_judged: int = 0
    follow_up_on_time: int = 0
    follow_up_judged: int = 0
    finish_on_time: int = 0
    finish_judged: int = 0
    late_now: int = 0
    reopened: int = 0
    rating_sum: int = 0
    rated: int = 0
    rated_good: int = 0
    verify_days: dict[int, int] = field(default_factory=dict)
    follow_up_days: dict[int, int] = field(default_factory=dict)
    finish_days: dict[int, int] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        for name in TALLY_SUMS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("by_type", "by_status", "verify_days", "follow_up_days", "finish_days"):
            mine: dict[Any, int] = getattr(self, name)
            for key, n in getattr(other, name).items():
                mine[key] = mine.get(key, 0) + n

    def indicators(self) -> Indicators:
        return Indicators(
            received=self.received,
            by_type=dict(self.by_type),
            by_status=dict(self.by_status),
            verify_on_time=_ratio(self.verify_on_time, self.verify_judged),
            follow_up_on_time=_ratio(self.follow_up_on_time, self.follow_up_judged),
            finish_on_time=_ratio(self.finish_on_time, self.finish_judged),
            verify_median_days=histogram_median(self.verify_days),
            follow_up_median_days=histogram_median(self.follow_up_days),
            finish_median_days=histogram_median(self.finish_days),
            late_now=self.late_now,
            reopened=self.reopened,
            rating_average=_ratio(self.rating_sum, self.rated),
            rating_good_share=_ratio(self.rated_good, self.rated),
            rated=self.rated,
        )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def histogram_median(counts: dict[int, int]) -> float | None:
    """The median of values given as ``value → how many`` (as :func:`statistics.median`)."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = (total - 1) // 2, total // 2  # the middle one, or the middle two
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        n = counts[value]
        found.extend(value for k in wanted if seen <= k < seen + n)
        seen += n
    return (found[0] + found[1]) / 2
