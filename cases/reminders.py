"""The reminder engine's round (pengingat): reminders, escalations, auto-close, the Ombudsman
notice and the morning digests, as use cases.

The scheduler (``runtime.reminders``) only decides *when* a round runs; *what* is owed is read from
the database (``reports.next_notice_on``, ``reports.ombudsman_on``, ``digest_runs``), so a
restart, a double run or a jump of the clock sends nothing twice and skips nothing. Each look at
a report is a decision of ``core.decisions.decide`` (remind, escalate, close, tell of Ombudsman
RI, or only "look again on D"), written by ``storage.report_state.apply_decision``, whose
compare-and-set on the claimed agenda field lets only one of two racing rounds write and send.

Each batch is one transaction: the decisions and the messages they owe, which the door renders
through a :class:`ReminderNotices` (no text is written here). Nothing goes out before the
morning time (local); reminders, escalations, the Ombudsman notice and digests go out on working
days only (digests only before ``DIGEST_UNTIL``, noon: a summary is a morning's), auto-close on
any day.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Protocol

from core.categories import Category, category_by_code
from core.deadlines import DIGEST_UNTIL, UNIT_STAGES, Due, Notice, local_date, notice_due
from core.decisions import SYSTEM, Decision, NextLook, Rules, decide
from core.lifecycle import CaseAction, Move, Upkeep
from storage.models import Report, Unit
from storage.report_state import apply_decision, state_of
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

#: Reports handled per transaction: short transactions keep the bot's handlers responsive.
BATCH = 100
#: The engine's action for each notice of the agenda.
_ACTIONS: dict[Notice, CaseAction] = {
    Notice.BEFORE: CaseAction.REMIND,
    Notice.DAY: CaseAction.REMIND,
    Notice.ESCALATE: CaseAction.ESCALATE,
    Notice.AUTO_CLOSE: CaseAction.AUTO_CLOSE,
}

UowFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class Owed:
    """A decision of the agenda that owes messages (``level``: the escalation's)."""

    report: Report
    decision: Decision
    level: int = 0


class ReminderNotices(Protocol):
    """What the engine's decisions owe, rendered by the door as outbox rows in ``uow``."""

    async def agenda(self, uow: UnitOfWork, now: datetime, today: date, owed: list[Owed]) -> None:
        """Queue one batch's messages: reminders and escalations (one list per group), the
        reporters' auto-close notices."""
        ...

    async def ombudsman(
        self, uow: UnitOfWork, now: datetime, report: Report, decision: Decision
    ) -> None:
        """Queue the reporter's Ombudsman RI notice and the coordinator's line."""
        ...

    async def digest(self, uow: UnitOfWork, now: datetime, unit: Unit, today: date) -> bool:
        """Queue the unit's morning digest; False when there is nothing to say."""
        ...


@dataclass(frozen=True)
class Engine:
    """What a round needs besides the database: the clocks' rules, the categories (the
    inspection deadline), the morning time and the door's notices."""

    rules: Rules
    categories: Sequence[Category]
    morning: time
    notices: ReminderNotices


@dataclass
class ReminderRound:
    """What one round of the reminder engine did (for logs, tests and the benchmark)."""

    counts: Counter[str] = field(default_factory=Counter)


async def run_round(uow_factory: UowFactory, engine: Engine, now: datetime) -> ReminderRound:
    """Everything the reminder engine owes at ``now``, once."""
    done = ReminderRound()
    local = now.astimezone(engine.rules.timezone)
    if local.time() < engine.morning:
        return done
    today = local.date()
    while await _agenda_batch(uow_factory, engine, now, today, done) == BATCH:
        pass
    if engine.rules.calendar.is_working_day(today):
        while await _ombudsman_batch(uow_factory, engine, now, today, done) == BATCH:
            pass
        if local.time() < DIGEST_UNTIL or engine.morning >= DIGEST_UNTIL:
            await _digests(uow_factory, engine, now, today, done)
    if done.counts:
        log.info("reminder round %s: %s", today.isoformat(), dict(done.counts))
    return done


def _decide(
    rules: Rules,
    categories: Sequence[Category],
    report: Report,
    now: datetime,
    move: Move,
    note: str = "",
    next_look: NextLook | None = None,
) -> Decision | None:
    category = category_by_code(categories, report.category)
    state = state_of(report, pengawasan=category is not None and category.pengawasan)
    outcome = decide(state, move, SYSTEM, now, rules, note=note, next_look=next_look)
    return outcome if isinstance(outcome, Decision) else None


def look_at(
    rules: Rules, categories: Sequence[Category], report: Report, now: datetime
) -> tuple[Decision, int]:
    """The decision of the engine's look at ``report`` today (the notice owed and the next
    look, or only the next look) and the escalation level."""
    today = local_date(now, rules.timezone)
    if report.closed_at is not None:
        due = Due(None, None)  # closed for good: nothing more is owed
    else:
        due = notice_due(report.status, report.due_date, today, rules.calendar, rules.policy)
    next_look = NextLook(due.next_on)
    decision = None
    if due.notice is not None:
        action = _ACTIONS[due.notice]
        note = {
            CaseAction.REMIND: due.notice.value,
            CaseAction.ESCALATE: str(due.level),
            CaseAction.AUTO_CLOSE: str(rules.policy.auto_close),
        }[action]
        # Refused when the report moved on since the agenda was read: only the look stays.
        decision = _decide(rules, categories, report, now, action, note, next_look)
    if decision is None:
        decision = _decide(rules, categories, report, now, Upkeep.LOOK, next_look=next_look)
    assert decision is not None  # the engine may always look
    return decision, due.level


async def _agenda_batch(
    uow_factory: UowFactory, engine: Engine, now: datetime, today: date, done: ReminderRound
) -> int:
    async with uow_factory() as uow:
        reports = await uow.reports.due_for_notice(today, BATCH)
        owed: list[Owed] = []
        for report in reports:
            decision, level = look_at(engine.rules, engine.categories, report, now)
            if not await apply_decision(uow, report, decision, now):
                continue  # another round got there first
            if decision.action == Upkeep.LOOK:
                continue
            owed.append(Owed(report, decision, level))
            done.counts[_COUNTED[decision.action]] += 1
        if owed:
            await engine.notices.agenda(uow, now, today, owed)
        await uow.commit()
    return len(reports)


_COUNTED: dict[Move, str] = {
    CaseAction.REMIND: "reminders",
    CaseAction.ESCALATE: "escalations",
    CaseAction.AUTO_CLOSE: "closed",
}


async def _ombudsman_batch(
    uow_factory: UowFactory, engine: Engine, now: datetime, today: date, done: ReminderRound
) -> int:
    """Unresolved after the Ombudsman period (the stage paused while waiting for the reporter):
    the reporter learns they may take it to Ombudsman RI, and the coordinator is told."""
    async with uow_factory() as uow:
        reports = await uow.reports.due_for_ombudsman(today, tuple(UNIT_STAGES), BATCH)
        days = engine.rules.policy.ombudsman
        for report in reports:
            decision = _decide(
                engine.rules, engine.categories, report, now, CaseAction.OMBUDSMAN, str(days)
            )
            if decision is None or not await apply_decision(uow, report, decision, now):
                continue  # another round got there first
            await engine.notices.ombudsman(uow, now, report, decision)
            done.counts["ombudsman"] += 1
        await uow.commit()
    return len(reports)


async def _digests(
    uow_factory: UowFactory, engine: Engine, now: datetime, today: date, done: ReminderRound
) -> None:
    async with uow_factory() as uow:
        unit_ids = sorted(await uow.units.unit_ids_with_chats() - await uow.reports.digested(today))
    for unit_id in unit_ids:
        async with uow_factory() as uow:
            if await uow.reports.digest_sent(unit_id, today):
                continue  # another round got there first
            unit = await uow.units.get(unit_id)
            if unit is None:
                continue
            if await engine.notices.digest(uow, now, unit, today):
                done.counts["digests"] += 1
            uow.reports.mark_digest(unit_id, today, now)
            await uow.commit()
