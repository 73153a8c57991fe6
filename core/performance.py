"""How well a report was handled, and how well a unit handles its reports (kinerja unit).

A report's timeline gives the day each stage ended: verified (``baru`` → ``didisposisi``), first
follow-up (``didisposisi`` → ``diproses`` or straight to ``selesai``) and finished (the first
``selesai``). Each stage is measured in working days on the Indonesian calendar, with the days
spent waiting for the reporter (``menunggu_pelapor``) left out, as the deadline clock does, and is
on time when it ended no later than its deadline (:class:`~core.deadlines.DeadlinePolicy`).

A stage that has not ended counts as late once its deadline has passed and is left out of the
shares until then (it may still be on time); while the reporter is being waited for, only if it
was already late when the question was asked. Nothing here reads a database or a clock.

The same rule runs one status change at a time (:func:`advance`, folded by :func:`moments`): the
report keeps its :class:`Moments` (``core.decisions.decide`` computes them, the storage writer
stores them), so the console adds up stored columns (:class:`Tally`) instead of timelines.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

from core.calendar import WorkingCalendar
from core.deadlines import DeadlinePolicy
from core.lifecycle import ReportStatus, ReportType

_S = ReportStatus


@dataclass(frozen=True, slots=True)
class Step:
    """One status change of a report's timeline, on its local date."""

    on: date
    status_from: str | None
    status_to: str | None


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of a report: when it ended (None: not yet), the working days it took (or has
    taken so far), and whether it was on time (None: still open and not yet late)."""

    ended_on: date | None
    days: int | None
    on_time: bool | None


@dataclass(frozen=True, slots=True)
class Handling:
    """The three measured stages of one report."""

    verify: Stage
    follow_up: Stage
    finish: Stage
    reopened: bool


@dataclass(frozen=True, slots=True)
class Moments:
    """A report's measured stages as they stand, kept on the report row as they happen.

    Each ended stage keeps the day it ended, the working days it took and whether it was on
    time. The open stage (the first not ended) keeps the working days it has waited for the
    reporter in pauses that are over (``stage_paused``) and its deadline (``stage_due``): it is
    late once a day after ``stage_due`` has come. While the reporter is being waited for
    (``waiting_since``) the deadline moves with the wait, so ``stage_due`` is kept only when the
    stage was already late when the question was asked (it stays late) and is None otherwise
    (not late while waiting). An archived report's open stage is not measured (``stage_due``
    None). ``waiting_since`` is not stored: it is the local date of the report's pause.
    """

    created_on: date
    verified_on: date | None = None
    verify_days: int | None = None
    verify_on_time: bool | None = None
    followed_up_on: date | None = None
    follow_up_days: int | None = None
    follow_up_on_time: bool | None = None
    finished_on: date | None = None
    finish_days: int | None = None
    finish_on_time: bool | None = None
    stage_paused: int = 0
    stage_due: date | None = None
    reopened: bool = False
    archived: bool = False
    waiting_since: date | None = None

    @property
    def stage_start(self) -> date | None:
        """The day the open stage started (None: every stage ended)."""
        if self.verified_on is None:
            return self.created_on
        if self.followed_up_on is None:
            return self.verified_on
        if self.finished_on is None:
            return self.followed_up_on
        return None


def stage_limits(policy: DeadlinePolicy, report_type: str, *, pengawasan: bool) -> tuple[int, ...]:
    """Working days allowed to verify, to follow up first and to finish (by class)."""
    return policy.verify, policy.follow_up, resolve_days(policy, report_type, pengawasan=pengawasan)


def _open_limit(m: Moments, limits: tuple[int, ...]) -> int:
    if m.verified_on is None:
        return limits[0]
    return limits[1] if m.followed_up_on is None else limits[2]


def _with_due(m: Moments, limits: tuple[int, ...], cal: WorkingCalendar) -> Moments:
    start = m.stage_start
    if start is None or m.archived:
        return replace(m, stage_due=None)
    due = cal.add_working_days(start, _open_limit(m, limits) + m.stage_paused)
    if m.waiting_since is not None and not m.waiting_since > due:
        return replace(m, stage_due=None)  # waiting, and it was not late when asked
    return replace(m, stage_due=due)


def begin(created_on: date, limits: tuple[int, ...], cal: WorkingCalendar) -> Moments:
    """A report just filed: the verification stage is open."""
    return _with_due(Moments(created_on=created_on), limits, cal)


def _ended(m: Moments, on: date, limits: tuple[int, ...], cal: WorkingCalendar) -> tuple[int, bool]:
    start = m.stage_start
    assert start is not None
    due = cal.add_working_days(start, _open_limit(m, limits) + m.stage_paused)
    taken = max(cal.working_days_between(start, on) - m.stage_paused, 0)
    return taken, on <= due


_FOLLOWED: Final = frozenset({_S.DIPROSES, _S.SELESAI})


def advance(m: Moments, step: Step, limits: tuple[int, ...], cal: WorkingCalendar) -> Moments:
    """The moments after one status change (``step.status_from != step.status_to``)."""
    on, before, after = step.on, step.status_from, step.status_to
    start = m.stage_start
    if before == _S.MENUNGGU_PELAPOR and m.waiting_since is not None:
        if start is not None:
            waited = cal.working_days_between(max(m.waiting_since, start), on)
            m = replace(m, stage_paused=m.stage_paused + waited)
        m = replace(m, waiting_since=None)
    if after == _S.MENUNGGU_PELAPOR and m.waiting_since is None:
        m = replace(m, waiting_since=on)
    if m.verified_on is None and after == _S.DIDISPOSISI and before != _S.DIDISPOSISI:
        days, on_time = _ended(m, on, limits, cal)
        m = replace(m, verified_on=on, verify_days=days, verify_on_time=on_time, stage_paused=0)
    elif (
        m.verified_on is not None
        and m.followed_up_on is None
        and after in _FOLLOWED
        and before not in _FOLLOWED
    ):
        days, on_time = _ended(m, on, limits, cal)
        m = replace(
            m, followed_up_on=on, follow_up_days=days, follow_up_on_time=on_time, stage_paused=0
        )
    if (
        m.followed_up_on is not None
        and m.finished_on is None
        and after == _S.SELESAI
        and before != _S.SELESAI
    ):
        days, on_time = _ended(m, on, limits, cal)
        m = replace(m, finished_on=on, finish_days=days, finish_on_time=on_time, stage_paused=0)
    if before == _S.SELESAI and after == _S.DIPROSES:
        m = replace(m, reopened=True)
    if after == _S.DIARSIPKAN:
        m = replace(m, archived=True)
    return _with_due(m, limits, cal)


def moments(
    created_on: date, steps: Sequence[Step], limits: tuple[int, ...], cal: WorkingCalendar
) -> Moments:
    """The moments of a report filed on ``created_on`` with the status changes ``steps``."""
    m = begin(created_on, limits, cal)
    for step in steps:
        if step.status_to is not None and step.status_to != step.status_from:
            m = advance(m, step, limits, cal)
    return m


def open_late(m: Moments, today: date) -> bool:
    """The open stage's deadline has passed (see :class:`Moments`)."""
    return m.stage_due is not None and today > m.stage_due


def paused_days(steps: Sequence[Step], start: date, end: date, cal: WorkingCalendar) -> int:
    """Working days in (start, end] spent waiting for the reporter."""
    total, since = 0, None
    for step in steps:
        if step.status_to == _S.MENUNGGU_PELAPOR and since is None:
            since = step.on
        elif step.status_from == _S.MENUNGGU_PELAPOR and since is not None:
            total += cal.working_days_between(max(since, start), min(step.on, end))
            since = None
    if since is not None:
        total += cal.working_days_between(max(since, start), end)
    return total


def resolve_days(policy: DeadlinePolicy, report_type: str, *, pengawasan: bool) -> int:
    days = policy.stage_days(_S.DIPROSES, ReportType(report_type), pengawasan=pengawasan)
    return days if days is not None else policy.resolve_pengaduan


def handling_of(m: Moments, today: date, cal: WorkingCalendar) -> Handling:
    """The three stages of stored moments, judged on ``today``."""
    start = m.stage_start
    ends = (
        (m.created_on, m.verified_on, m.verify_days, m.verify_on_time),
        (m.verified_on, m.followed_up_on, m.follow_up_days, m.follow_up_on_time),
        (m.followed_up_on, m.finished_on, m.finish_days, m.finish_on_time),
    )
    stages: list[Stage] = []
    for begun, ended, days, on_time in ends:
        if ended is not None:
            stages.append(Stage(ended, days, on_time))
        elif begun is None or begun != start or m.archived:
            stages.append(Stage(None, None, None))
        else:
            waited = m.stage_paused
            if m.waiting_since is not None:
                waited += cal.working_days_between(max(m.waiting_since, begun), today)
            taken = max(cal.working_days_between(begun, today) - waited, 0)
            stages.append(Stage(None, taken, False if open_late(m, today) else None))
    return Handling(stages[0], stages[1], stages[2], m.reopened)


def handling(
    created_on: date,
    steps: Sequence[Step],
    report_type: str,
    *,
    pengawasan: bool,
    today: date,
    cal: WorkingCalendar,
    policy: DeadlinePolicy,
    archived: bool = False,
) -> Handling:
    """Measure a report filed on ``created_on`` with the status changes ``steps`` (in order).

    An archived report's unfinished stages are not measured (it needs no more work)."""
    limits = stage_limits(policy, report_type, pengawasan=pengawasan)
    m = moments(created_on, steps, limits, cal)
    if archived:
        m = replace(m, archived=True, stage_due=None)
    return handling_of(m, today, cal)


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
