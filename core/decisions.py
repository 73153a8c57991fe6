"""A report's life as one pure function: :func:`decide`.

``decide(state, action, actor, now, rules)`` reads the report's lifecycle fields, who acts and
when, and returns either a :class:`Decision` (the fields after the change, the timeline event and
the notices owed) or a :class:`Refusal` with its reason key. It enforces the permission table
(``core.permissions``) and the status table (``core.lifecycle.ALLOWED_TRANSITIONS``).

Handlers and the reminder engine call it; one function in storage (``storage.report_state``)
writes a decision into the report row. Nothing else writes a status, a deadline or a pause.
See docs/lifecycle.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from core.calendar import WorkingCalendar
from core.deadlines import DeadlinePolicy, due_date, first_notice_on, local_date
from core.lifecycle import ReportStatus, ReportType, can_transition
from core.performance import Moments, Step, advance, begin, stage_limits
from core.permissions import (
    ARCHIVE_REASONS,
    ActorKind,
    CaseAction,
    UnitKind,
    actor_kind,
    next_status,
    refusal,
)
from core.timeline import EVENT_KINDS, EventKind

_S = ReportStatus
_A = CaseAction

#: How the reporter and the reminder engine are named in the timeline.
REPORTER_LABEL: Final = "pelapor"
SYSTEM_LABEL: Final = "sistem"
#: A citizen who supports the report (laporan serupa): never who.
SUPPORTER_LABEL: Final = "pendukung"


@dataclass(frozen=True)
class Actor:
    """Who acts: ``label`` goes into the timeline (an officer: ``petugas:<id>:<name>``);
    ``unit_id`` is the officer's unit (None for the reporter and the reminder engine)."""

    kind: ActorKind
    label: str
    unit_id: int | None = None

    @classmethod
    def officer(cls, user_id: str, name: str, unit_id: int, unit_kind: str) -> Actor:
        label = f"petugas:{user_id}:{name}"[:64]
        return cls(actor_kind(unit_kind), label, unit_id)


REPORTER: Final = Actor(ActorKind.CITIZEN, REPORTER_LABEL)
SYSTEM: Final = Actor(ActorKind.SYSTEM, SYSTEM_LABEL)


@dataclass(frozen=True)
class Pause:
    """A stage paused while the unit waits for the reporter (SP4N-LAPOR! "Tunda")."""

    status: ReportStatus  # where the unit was: the reporter's answer goes back there
    at: datetime
    days_left: int | None  # working days the stage had left (None: it had no deadline)


@dataclass(frozen=True)
class ReportState:
    """The lifecycle fields of one report (``status`` None: not submitted yet)."""

    status: ReportStatus | None
    report_type: ReportType
    pengawasan: bool = False  # the category needs an inspection (60 working days)
    unit_id: int | None = None
    due_date: date | None = None
    next_notice_on: date | None = None
    pause: Pause | None = None
    ombudsman_on: date | None = None
    selesai_at: datetime | None = None
    closed_at: datetime | None = None
    rating: int | None = None
    # The measured stages (core.performance): when each ended, in time or not, the open
    # stage's deadline. None: not submitted yet.
    moments: Moments | None = None


@dataclass(frozen=True)
class Rules:
    """The region's calendar, zone and deadline policy (all pure data)."""

    calendar: WorkingCalendar
    timezone: ZoneInfo
    policy: DeadlinePolicy


@dataclass(frozen=True)
class Target:
    """The unit a report is transferred to."""

    unit_id: int
    active: bool = True


@dataclass(frozen=True)
class TimelineEvent:
    """One line of the report's audit trail."""

    kind: EventKind
    actor: str
    status_from: ReportStatus | None
    status_to: ReportStatus | None
    note: str = ""
    unit_id: int | None = None
    to_unit_id: int | None = None


class Audience(StrEnum):
    """Who a notice owed by a change goes to (the handlers fill in the words)."""

    REPORTER = "reporter"  # a message to the reporter with a reply button
    REPORTER_FINAL = "reporter_final"  # a message to the reporter without a reply button
    REPORTER_CONFIRM = "reporter_confirm"  # the answer with "done? yes / no" buttons
    HOLDER = "holder"  # the holding unit's groups, as a reply to the card
    COORDINATOR = "coordinator"  # the coordinator's groups
    ESCALATION = "escalation"  # the holder's parent unit and the coordinator
    CARDS = "cards"  # the report's cards are edited to the new state
    MOVE_CARDS = "move_cards"  # the card leaves the old unit and appears at the new one


@dataclass(frozen=True)
class NoticeOwed:
    audience: Audience
    key: str = ""  # the catalogue key of the message ('' for cards)


@dataclass(frozen=True)
class Decision:
    """The change: the report's lifecycle fields after it, its event and the notices owed."""

    action: CaseAction
    before: ReportState
    after: ReportState
    event: TimelineEvent
    notices: tuple[NoticeOwed, ...]
    touches: bool = True  # the report's "updated at" moves

    @property
    def status_changed(self) -> bool:
        return self.before.status != self.after.status


@dataclass(frozen=True)
class Refusal:
    """The change is impossible; ``reason`` is a catalogue key suffix (``case.refused.*``)."""

    reason: str


def _n(audience: Audience, key: str = "") -> NoticeOwed:
    return NoticeOwed(audience, key)


_CARDS = _n(Audience.CARDS)

#: The notices each action owes, in the order they are sent.
NOTICES: dict[CaseAction, tuple[NoticeOwed, ...]] = {
    _A.VERIFY: (_n(Audience.REPORTER, "notify.verified"), _CARDS),
    _A.ASK: (_n(Audience.REPORTER, "notify.question"), _CARDS),
    _A.NOTE: (_n(Audience.REPORTER, "notify.followup"), _CARDS),
    _A.DONE: (_n(Audience.REPORTER_CONFIRM, "notify.done"), _CARDS),
    _A.ARCHIVE: (_n(Audience.REPORTER_FINAL, "notify.archived"), _CARDS),
    _A.TRANSFER: (_n(Audience.MOVE_CARDS), _n(Audience.REPORTER, "notify.transferred")),
    _A.ANSWER: (_n(Audience.REPORTER, "notify.answer"),),
    _A.SUBMIT: (),
    _A.INFO: (_n(Audience.HOLDER, "group.from_reporter"),),
    _A.RESUME: (_n(Audience.HOLDER, "group.from_reporter"), _CARDS),
    _A.REOPEN: (
        _n(Audience.HOLDER, "group.reopened"),
        _n(Audience.COORDINATOR, "group.reopened"),
        _CARDS,
    ),
    _A.CONFIRM: (),
    _A.RATE: (_n(Audience.HOLDER, "group.rated"), _CARDS),
    _A.REMIND: (_n(Audience.HOLDER, "clock.reminder"),),
    _A.ESCALATE: (_n(Audience.ESCALATION, "clock.escalation"),),
    _A.AUTO_CLOSE: (_n(Audience.REPORTER_FINAL, "notify.auto_closed"), _CARDS),
    _A.OMBUDSMAN: (
        _n(Audience.REPORTER_FINAL, "notify.ombudsman"),
        _n(Audience.COORDINATOR, "clock.ombudsman"),
    ),
}
#: Archived as a duplicate of an open report: the reporter is told which report carries it.
_DUPLICATE: Final = (_n(Audience.REPORTER_FINAL, "notify.duplicate"), _CARDS)
#: The archive reason that needs the original report (``duplicate_of``).
DUPLICATE_REASON: Final = "duplikat"
#: A first answer starts the finishing stage: the reporter is told its new date.
_ANSWER_WITH_DUE: Final = (_n(Audience.REPORTER, "notify.answer_due"), _CARDS)

#: Actions that leave the report's "updated at" alone (audit lines only).
_QUIET: Final = frozenset({_A.CONFIRM, _A.REMIND, _A.ESCALATE, _A.OMBUDSMAN})


def decide(
    state: ReportState,
    action: CaseAction,
    actor: Actor,
    now: datetime,
    rules: Rules,
    *,
    note: str = "",
    reason: str = "",
    to: Target | None = None,
    rating: int | None = None,
    duplicate_of: str = "",
) -> Decision | Refusal:
    """Decide one change of a report (see the module docstring).

    ``note`` is the officer's or reporter's words (timeline note), ``reason`` an archive reason,
    ``to`` a transfer's destination, ``rating`` the reporter's stars. The reminder engine puts
    its detail (reminder kind, escalation level) in ``note``. Archiving as a duplicate names the
    open original's tracking number in ``duplicate_of`` (checked open by the caller).
    """
    refused = _refusal(state, action, actor, reason=reason, to=to, rating=rating)
    if not refused and action == _A.ARCHIVE and reason == DUPLICATE_REASON and not duplicate_of:
        refused = "original_required"
    if refused:
        return Refusal(refused)
    before = state.status
    after = _after(state, action, now, rules, to=to, rating=rating)
    assert after.status is not None
    if before is not None and after.status != before and not can_transition(before, after.status):
        return Refusal("not_allowed")  # the permission table and the status table disagree
    notices = NOTICES[action]
    if action == _A.ANSWER and after.status != before:
        notices = _ANSWER_WITH_DUE
    if action == _A.ARCHIVE and reason == DUPLICATE_REASON:
        notices = _DUPLICATE
        note = f"{DUPLICATE_REASON}: {duplicate_of}" + (f" — {note}" if note else "")
    event = _event(state, after, action, actor, note or reason, to)
    after = replace(after, moments=_measured(state, event, now, rules))
    return Decision(
        action=action,
        before=state,
        after=after,
        event=event,
        notices=notices,
        touches=action not in _QUIET,
    )


def _refusal(
    state: ReportState,
    action: CaseAction,
    actor: Actor,
    *,
    reason: str,
    to: Target | None,
    rating: int | None,
) -> str:
    refused = refusal(action, state.status, actor.kind)
    if refused:
        return refused
    if actor.kind == ActorKind.OFFICER and (
        actor.unit_id is None or actor.unit_id != state.unit_id
    ):
        return "not_yours"
    if action == _A.TRANSFER:
        if to is None or not to.active:
            return "unknown_unit"
        if to.unit_id == state.unit_id:
            return "same_unit"
    if action == _A.ARCHIVE and reason not in ARCHIVE_REASONS:
        return "reason_required"
    if action in (_A.REOPEN, _A.AUTO_CLOSE) and state.closed_at is not None:
        return "closed"
    if action == _A.RATE and (rating is None or not 1 <= rating <= 5):
        return "not_allowed"
    return ""


def _after(
    state: ReportState,
    action: CaseAction,
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
    if action in (_A.REMIND, _A.ESCALATE):
        return state
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
    if action == _A.RESUME:
        return _resumed(state, now, rules)
    if action == _A.ASK:
        return _paused(state, now, rules)
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
    pause = state.pause if state.status == _S.MENUNGGU_PELAPOR else None
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


def _resumed(state: ReportState, now: datetime, rules: Rules) -> ReportState:
    """Back to where the unit was, with what the stage had left; the Ombudsman day moves by
    the working days of the pause."""
    assert state.status is not None
    pause = state.pause
    status = next_status(_A.RESUME, state.status, pause.status if pause else None)
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
    state: ReportState, event: TimelineEvent, now: datetime, rules: Rules
) -> Moments | None:
    """The measured stages after the change: a status change of the timeline may end a stage
    (the same rule as a timeline read by ``core.performance.moments``)."""
    limits = stage_limits(rules.policy, state.report_type, pengawasan=state.pengawasan)
    today = local_date(now, rules.timezone)
    if state.status is None:
        return begin(today, limits, rules.calendar)
    moments = state.moments
    if moments is None or event.status_to is None or event.status_to == event.status_from:
        return moments
    waiting = None
    if state.status == _S.MENUNGGU_PELAPOR and state.pause is not None:
        waiting = local_date(state.pause.at, rules.timezone)
    step = Step(today, event.status_from, event.status_to)
    after = advance(replace(moments, waiting_since=waiting), step, limits, rules.calendar)
    return replace(after, waiting_since=None)  # kept as the report's pause, not as a field


def _event(
    before: ReportState,
    after: ReportState,
    action: CaseAction,
    actor: Actor,
    note: str,
    to: Target | None,
) -> TimelineEvent:
    changed = before.status != after.status
    unit_id = before.unit_id if actor.kind == ActorKind.SYSTEM else actor.unit_id
    return TimelineEvent(
        kind=EVENT_KINDS[action],
        actor=actor.label,
        # Officers' status actions always record their from/to, even when the status stays
        # (a second follow-up note); the reporter's and the engine's only when it moved.
        status_from=before.status if changed or _records_status(action) else None,
        status_to=after.status if changed or _records_status(action) else None,
        note=note,
        unit_id=unit_id,
        to_unit_id=to.unit_id if to is not None else None,
    )


_RECORDS_STATUS: Final = frozenset(
    {_A.VERIFY, _A.ASK, _A.NOTE, _A.DONE, _A.ARCHIVE, _A.TRANSFER, _A.REOPEN}
)


def _records_status(action: CaseAction) -> bool:
    return action in _RECORDS_STATUS


__all__ = [
    "REPORTER",
    "SYSTEM",
    "Actor",
    "ActorKind",
    "Audience",
    "CaseAction",
    "Decision",
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
