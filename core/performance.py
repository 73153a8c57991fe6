"""How well a report was handled, and how well a unit handles its reports (kinerja unit).

A report's timeline gives the day each stage ended: verified (``baru`` → ``didisposisi``), first
follow-up (``didisposisi`` → ``diproses`` or straight to ``selesai``) and finished (the first
``selesai``). Each stage is measured in working days on the Indonesian calendar, with the days
spent waiting for the reporter (``menunggu_pelapor``) left out, as the deadline clock does, and is
on time when it ended no later than its deadline (:class:`~core.deadlines.DeadlinePolicy`).

A stage that has not ended counts as late once its deadline has passed and is left out of the
shares until then (it may still be on time). Nothing here reads a database or a clock.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

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


def _first(steps: Sequence[Step], after: date | None, test: frozenset[str]) -> date | None:
    for step in steps:
        if (after is None or step.on >= after) and step.status_to in test:
            if step.status_from in test:
                continue
            return step.on
    return None


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


def _stage(
    start: date | None,
    ended: date | None,
    days: int,
    steps: Sequence[Step],
    today: date,
    cal: WorkingCalendar,
) -> Stage:
    if start is None:
        return Stage(None, None, None)
    until = ended or today
    paused = paused_days(steps, start, until, cal)
    due = cal.add_working_days(start, days + paused)
    taken = max(cal.working_days_between(start, until) - paused, 0)
    if ended is not None:
        return Stage(ended, taken, ended <= due)
    return Stage(None, taken, False if today > due else None)


def resolve_days(policy: DeadlinePolicy, report_type: str, *, pengawasan: bool) -> int:
    days = policy.stage_days(_S.DIPROSES, ReportType(report_type), pengawasan=pengawasan)
    return days if days is not None else policy.resolve_pengaduan


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
    verified = _first(steps, None, frozenset({_S.DIDISPOSISI}))
    followed = _first(steps, verified, frozenset({_S.DIPROSES, _S.SELESAI})) if verified else None
    finished = _first(steps, verified, frozenset({_S.SELESAI})) if verified else None
    stop = today if not archived else created_on
    verify = _stage(created_on, verified, policy.verify, steps, stop, cal)
    follow = _stage(verified, followed, policy.follow_up, steps, stop, cal)
    finish = _stage(
        followed,
        finished,
        resolve_days(policy, report_type, pengawasan=pengawasan),
        steps,
        stop,
        cal,
    )
    if archived:
        verify, follow, finish = (_closed(s) for s in (verify, follow, finish))
    reopened = any(s.status_from == _S.SELESAI and s.status_to == _S.DIPROSES for s in steps)
    return Handling(verify, follow, finish, reopened)


def _closed(stage: Stage) -> Stage:
    return stage if stage.ended_on is not None else Stage(None, None, None)


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
