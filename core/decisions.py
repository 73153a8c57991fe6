"""A report's life as one pure function: :func:`decide`.

``decide(state, move, actor, now, rules)`` reads the report's lifecycle fields, who acts and
when, and returns either a :class:`Decision` (the fields after the change, the timeline event and
the notices owed) or a :class:`Refusal` with its reason key. What each move may do, who may take
it, the event it records and the notices it owes are rows of the lifecycle table
(``core.lifecycle.LIFECYCLE``); this module holds the time rules (deadlines, pauses, closing).

A move is a person's or the engine's action (:class:`~core.lifecycle.CaseAction`) or the
system's upkeep (:class:`~core.lifecycle.Upkeep`: routing a new report to its unit, the reminder
engine moving its next look). Every lifecycle field (status, deadlines, ``unit_id``,
``next_notice_on``, ``ombudsman_on``, pauses, closing) is written from a decision, by one
function in storage (``storage.report_state``), which also guards the reminder engine's claims
(:attr:`Decision.claim`). See docs/lifecycle.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType
from typing import Final

from core.deadlines import due_date, first_notice_on, local_date
from core.decision_types import (
    REPORTER,
    REPORTER_LABEL,
    SUPPORTER_LABEL,
    SYSTEM,
    SYSTEM_LABEL,
    Actor,
    Decision,
    NextLook,
    Pause,
    Refusal,
    ReportState,
    Rules,
    Target,
    TimelineEvent,
)
from core.lifecycle import ROWS, Move, ReportStatus, Upkeep, can_transition
from core.lifecycle import Audience as Audience
from core.lifecycle import NoticeOwed as NoticeOwed
from core.performance import Moments, Step, advance, begin, stage_limits
from core.permissions import (
    ARCHIVE_REASONS,
    ActorKind,
    CaseAction,
    UnitKind,
    move_refusal,
    next_status,
)
from core.timeline import EventKind

_S = ReportStatus
_A = CaseAction


def _n(audience: Audience, key: str = "") -> NoticeOwed:
    return NoticeOwed(audience, key)


_CARDS = _n(Audience.CARDS)
#: The statuses that keep the stage they paused (a question to the reporter, a referral).
_KEEPS_PAUSE: Final = frozenset({_S.MENUNGGU_PELAPOR, _S.DIRUJUK})

#: The notices each action owes, in the order they are sent (from the lifecycle table).
NOTICES: Final[Mapping[CaseAction, tuple[NoticeOwed, ...]]] = MappingProxyType(
    {action: ROWS[action].notices for action in CaseAction}
)
#: Archived as a duplicate of an open report: the reporter is told which report carries it.
_DUPLICATE: Final = (_n(Audience.REPORTER_FINAL, "notify.duplicate"), _CARDS)
#: The archive reason that needs the original report (``duplicate_of``).
DUPLICATE_REASON: Final = "duplikat"


def decide(
    state: ReportState,
    action: Move,
    actor: Actor,
    now: datetime,
    rules: Rules,
    *,
    note: str = "",
    reason: str = "",
    to: Target | None = None,
    rating: int | None = None,
    duplicate_of: str = "",
    next_look: NextLook | None = None,
) -> Decision | Refusal:
    """Decide one change of a report (see the module docstring).

    ``note`` is the officer's or reporter's words (timeline note), ``reason`` an archive reason,
    ``to`` a transfer's or a routing's destination, ``rating`` the reporter's stars. The
    reminder engine puts its detail (reminder kind, escalation level) in ``note`` and, for the
    moves that reschedule it, its ``next_look``. Archiving as a duplicate names the open
    original's tracking number in ``duplicate_of`` (checked open by the caller).
    """
    refused = _refusal(state, action, actor, reason=reason, to=to, rating=rating)
    if not refused and action == _A.ARCHIVE and reason == DUPLICATE_REASON and not duplicate_of:
        refused = "original_required"
    if refused:
        return Refusal(refused)
    before = state.status
    row = ROWS[action]
    after = _after(state, action, now, rules, to=to, rating=rating)
    if row.reschedules and next_look is not None:
        after = replace(after, next_notice_on=next_look.on)
    assert after.status is not None
    if before is not None and after.status != before and not can_transition(before, after.status):
        return Refusal("not_allowed")  # cannot happen: both come from the lifecycle table
    notices = row.notices
    if row.moved_notices is not None and after.status != before:
        notices = row.moved_notices
    if action == _A.ARCHIVE and reason == DUPLICATE_REASON:
        notices = _DUPLICATE
        note = f"{DUPLICATE_REASON}: {duplicate_of}" + (f" — {note}" if note else "")
    events: tuple[TimelineEvent, ...] = ()
    if row.event is not None:
        kind = EventKind.ROUTED_FALLBACK if to is not None and to.fallback else row.event
        events = (_event(state, after, kind, row.records_status, actor, note or reason, to),)
    after = replace(after, moments=_measured(state, events, now, rules))
    return Decision(
        action=action,
        before=state,
        after=after,
        events=events,
        notices=notices,
        touches=not row.quiet,
    )


def _refusal(
    state: ReportState,
    action: Move,
    actor: Actor,
    *,
    reason: str,
    to: Target | None,
    rating: int | None,
) -> str:
    refused = move_refusal(action, state.status, actor.kind)
    if refused:
        return refused
    if actor.kind == ActorKind.OFFICER and (
        actor.unit_id is None or actor.unit_id != state.unit_id
    ):
        return "not_yours"
    if action in (_A.TRANSFER, Upkeep.ROUTE):
        if to is None or not to.active:
            return "unknown_unit"
        if to.unit_id == state.unit_id:
            return "same_unit"
    if action == _A.ARCHIVE and reason not in ARCHIVE_REASONS:
        return "reason_required"
    if action in (_A.REOPEN, _A.AUTO_CLOSE, _A.INFO) and state.closed_at is not None:
        return "closed"
    if action == _A.RATE and (rating is None or not 1 <= rating <= 5):
        return "not_allowed"
    return ""


def _after(
    state: ReportState,
    action: Move,
    now: datetime,
    rules: Rules,
    *,
    to: Target | None,
    rating: int | None,
) -> ReportState:
    if state.status is None:  # SUBMIT
        today = local_date(now, rules.timezone)
        opened = replace(
            state,
            status=_S.BARU,
            ombudsman_on=rules.calendar.add_working_days(today, rules.policy.ombudsman),
        )
        return _new_stage(opened, now, rules)
    status = state.status
    if action in (_A.CONFIRM, _A.AUTO_CLOSE):
        closed_at = state.closed_at or now
        return replace(state, closed_at=closed_at, due_date=None, next_notice_on=None)
    if action == _A.RATE:
        return replace(state, rating=rating)
    if action == _A.OMBUDSMAN:
        return replace(state, ombudsman_on=None)
    if action in (_A.REMIND, _A.ESCALATE, _A.INTERNAL_NOTE, Upkeep.LOOK):
        return state  # nothing of the report's life moves (a note is words for the unit)
    if action == Upkeep.ROUTE:
        assert to is not None
        return replace(state, unit_id=to.unit_id)
    if action == _A.INFO:
        if status == _S.SELESAI and state.closed_at is None:
            # The reporter is not silent: the quiet period before closing starts again.
            return _new_stage(state, now, rules)
        return state
    if action == _A.ANSWER:
        after_status = next_status(action, status)
        if after_status == status:
            return state
        return _new_stage(replace(state, status=after_status), now, rules)
    if action in (_A.RESUME, _A.UNREFER):
        return _resumed(state, action, now, rules)
    if action == _A.ASK:
        return _paused(state, now, rules)
    if action == _A.REFER:
        return _referred(state, now, rules)
    changed = replace(state, status=next_status(action, status))
    if action == _A.TRANSFER:
        assert to is not None
        changed = replace(changed, unit_id=to.unit_id, pause=None)
    if changed.status == _S.SELESAI:
        changed = replace(changed, selesai_at=now)
    if action == _A.REOPEN:
        changed = replace(changed, selesai_at=None)
    return _new_stage(changed, now, rules)


def _new_stage(
    state: ReportState, now: datetime, rules: Rules, days_left: int | None = None
) -> ReportState:
    """The deadline of the stage the report is in now, counted from ``now`` (``days_left``:
    what a paused stage had left), and the day the reminder engine first looks at it. A stage
    without a clock (archived) has neither; leaving a pause clears it."""
    assert state.status is not None
    days = rules.policy.stage_days(state.status, state.report_type, pengawasan=state.pengawasan)
    pause = state.pause if state.status in _KEEPS_PAUSE else None
    if days is None:
        return replace(state, due_date=None, next_notice_on=None, pause=pause)
    cal, tz = rules.calendar, rules.timezone
    due = due_date(now, cal, tz, days if days_left is None else days_left)
    first = first_notice_on(state.status, due, local_date(now, tz), cal)
    return replace(state, due_date=due, next_notice_on=first, pause=pause)


def _paused(state: ReportState, now: datetime, rules: Rules) -> ReportState:
    """Keep what the stage had left; the reporter's answer gives it back (the clock pauses)."""
    assert state.status is not None
    left = None
    if state.due_date is not None:
        today = local_date(now, rules.timezone)
        left = rules.calendar.working_days_between(today, state.due_date)
    pause = Pause(status=state.status, at=now, days_left=left)
    return replace(
        state, status=_S.MENUNGGU_PELAPOR, pause=pause, due_date=None, next_notice_on=None
    )


def _referred(state: ReportState, now: datetime, rules: Rules) -> ReportState:
    """Referred (dirujuk): the stage is kept as a pause, so that the coordinator's undo gives
    it back. Referred while waiting for the reporter: the unit's stage before the question is
    kept (the question's pause itself ends)."""
    if state.status == _S.MENUNGGU_PELAPOR and state.pause is not None:
        pause = replace(state.pause, at=now)  # the question's days are counted already
        return replace(state, status=_S.DIRUJUK, pause=pause, due_date=None, next_notice_on=None)
    return replace(_paused(state, now, rules), status=_S.DIRUJUK)


def _resumed(state: ReportState, action: Move, now: datetime, rules: Rules) -> ReportState:
    """Back to where the unit was, with what the stage had left; the Ombudsman day moves by
    the working days of the pause (a question's or a referral's)."""
    assert state.status is not None
    pause = state.pause
    status = next_status(action, state.status, pause.status if pause else None)
    ombudsman_on = state.ombudsman_on
    days_left = None
    if pause is not None:
        cal = rules.calendar
        today = local_date(now, rules.timezone)
        paused = cal.working_days_between(local_date(pause.at, rules.timezone), today)
        if ombudsman_on is not None and paused:
            ombudsman_on = cal.add_working_days(ombudsman_on, paused)
        days_left = pause.days_left
    resumed = replace(state, status=status, pause=None, ombudsman_on=ombudsman_on)
    return _new_stage(resumed, now, rules, days_left)


def _measured(
    state: ReportState, events: tuple[TimelineEvent, ...], now: datetime, rules: Rules
) -> Moments | None:
    """The measured stages after the change: a status change of the timeline may end a stage
    (the same rule as a timeline read by ``core.performance.moments``)."""
    limits = stage_limits(rules.policy, state.report_type, pengawasan=state.pengawasan)
    today = local_date(now, rules.timezone)
    if state.status is None:
        return begin(today, limits, rules.calendar)
    moments = state.moments
    event = events[0] if events else None
    if moments is None or event is None:
        return moments
    if event.status_to is None or event.status_to == event.status_from:
        return moments
    waiting = None
    if state.status in _KEEPS_PAUSE and state.pause is not None:
        waiting = local_date(state.pause.at, rules.timezone)
    step = Step(today, event.status_from, event.status_to)
    after = advance(replace(moments, waiting_since=waiting), step, limits, rules.calendar)
    return replace(after, waiting_since=None)  # kept as the report's pause, not as a field


def _event(
    before: ReportState,
    after: ReportState,
    kind: EventKind,
    records_status: bool,
    actor: Actor,
    note: str,
    to: Target | None,
) -> TimelineEvent:
    changed = before.status != after.status
    unit_id = before.unit_id if actor.kind == ActorKind.SYSTEM else actor.unit_id
    return TimelineEvent(
        kind=kind,
        actor=actor.label,
        # Officers' status actions always record their from/to, even when the status stays
        # (a second follow-up note); the reporter's and the engine's only when it moved.
        status_from=before.status if changed or records_status else None,
        status_to=after.status if changed or records_status else None,
        note=note,
        unit_id=unit_id,
        to_unit_id=to.unit_id if to is not None else None,
    )


__all__ = [
    "REPORTER",
    "REPORTER_LABEL",
    "SUPPORTER_LABEL",
    "SYSTEM",
    "SYSTEM_LABEL",
    "Actor",
    "ActorKind",
    "Audience",
    "CaseAction",
    "Decision",
    "NextLook",
    "NoticeOwed",
    "Pause",
    "Refusal",
    "ReportState",
    "Rules",
    "Target",
    "TimelineEvent",
    "UnitKind",
    "decide",
]
