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
The sums and the indicators of a set of reports live in ``core.tally``; their names are
exported here as well (``__all__``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from core.calendar import WorkingCalendar
from core.deadlines import DeadlinePolicy
from core.lifecycle import ReportStatus, ReportType
from core.tally import TALLY_SUMS, Indicators, Measured, Tally, histogram_median, indicators

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
    if before == _S.DIRUJUK:
        # A referral undone: the open stage is measured again, the days referred paused.
        if start is not None and m.waiting_since is not None:
            waited = cal.working_days_between(max(m.waiting_since, start), on)
            m = replace(m, stage_paused=m.stage_paused + waited)
        m = replace(m, archived=False, waiting_since=None)
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
    if after in (_S.DIARSIPKAN, _S.DIRUJUK):
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


__all__ = [
    "TALLY_SUMS",
    "Handling",
    "Indicators",
    "Measured",
    "Moments",
    "Stage",
    "Step",
    "Tally",
    "advance",
    "begin",
    "handling",
    "handling_of",
    "histogram_median",
    "indicators",
    "moments",
    "open_late",
    "paused_days",
    "resolve_days",
    "stage_limits",
]
