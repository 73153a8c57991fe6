"""The reminder engine (pengingat): reminders, escalations, auto-close, the Ombudsman notice and
the morning digests. The scheduler (``runtime.reminders``) only decides *when* to call
:func:`run_reminders`; *what* is
owed is read from the database (``reports.next_notice_on``, ``reports.ombudsman_on``,
``digest_runs``), so a restart, a double run or a jump of the clock sends nothing twice and skips
nothing. Messages go through the outbox in the same transaction as the state they record, like
every other message of the case work.

Nothing goes out before the configured morning time (local); reminders, escalations, the
Ombudsman notice and digests go out on working days only, auto-close on any day.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from core.deadlines import UNIT_STAGES, DeadlinePolicy, Due, Notice, notice_due
from core.decisions import SYSTEM, Decision
from core.lifecycle import OPEN_STATUSES, ReportStatus
from core.permissions import CaseAction, UnitKind
from core.routing import seen_by
from handlers.actions import SendText
from handlers.case import Case
from handlers.deps import HandlerDeps
from handlers.formatting import long_date
from handlers.notices import deliver
from handlers.outgoing import emit
from handlers.routing import coordinator_chats
from locales import Translator
from storage.models import Report, Unit, UnitChat
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

#: Reports handled per transaction: short transactions keep the bot's handlers responsive.
BATCH = 100
#: Telegram's limit for one message; longer lists are cut and the rest counted.
MESSAGE_MAX = 4096
_UNIT_STAGE_VALUES = [s.value for s in UNIT_STAGES]
_OPEN_VALUES = [s.value for s in OPEN_STATUSES]


@dataclass
class ReminderRound:
    """What one round of the reminder engine did (for logs, tests and the benchmark)."""

    counts: Counter[str] = field(default_factory=Counter)


UowFactory = Callable[[], UnitOfWork]


async def run_reminders(
    uow_factory: UowFactory, deps: HandlerDeps, now: datetime | None = None
) -> ReminderRound:
    """Everything the reminder engine owes at ``now`` (default: the clock's now), once."""
    moment = now or deps.clock()
    local = moment.astimezone(deps.config.timezone)
    done = ReminderRound()
    if local.time() < deps.config.morning:
        return done
    today = local.date()
    while await _agenda_batch(uow_factory, deps, moment, today, done) == BATCH:
        pass
    if deps.calendar.is_working_day(today):
        while await _ombudsman_batch(uow_factory, deps, moment, today, done) == BATCH:
            pass
        await _digests(uow_factory, deps, moment, today, done)
    if done.counts:
        log.info("reminder round %s: %s", today.isoformat(), dict(done.counts))
    return done


# --- lines about reports ----------------------------------------------------------------------


def deadline_mark(tr: Translator, deps: HandlerDeps, report: Report, today: date) -> str:
    """ "⚠️ terlambat 2 hari kerja …", "⏰ tenggat hari ini" or "tenggat <date>"; "" when the
    unit has no deadline running (waiting for the reporter, finished)."""
    due = report.due_date
    if due is None or ReportStatus(report.status) not in UNIT_STAGES:
        return ""
    if due < today:
        late = max(1, deps.calendar.working_days_between(due, today))
        return tr.t("clock.mark.late", days=late, date=long_date(due, tr.language))
    if due == today:
        return tr.t("clock.mark.today")
    return tr.t("clock.mark.due", date=long_date(due, tr.language))


def report_line(
    tr: Translator, deps: HandlerDeps, report: Report, today: date, unit: Unit | None = None
) -> str:
    """ "• KA-… · (unit ·) status (· deadline mark)": one report in a list."""
    parts = [report.tracking_no]
    if unit is not None:
        parts.append(unit.name)
    parts.append(tr.t(f"card.status.{report.status}"))
    mark = deadline_mark(tr, deps, report, today)
    if mark:
        parts.append(mark)
    return "• " + " · ".join(parts)


def fit(tr: Translator, head: Sequence[str], items: Sequence[str], tail: Sequence[str]) -> str:
    """One message: ``head``, as many ``items`` as fit (the rest counted), ``tail``."""
    lines = list(head)
    size = sum(len(line) + 1 for line in (*head, *tail))
    for index, item in enumerate(items):
        more = tr.t("clock.more", count=len(items) - index)
        if size + len(item) + 1 + len(more) + 1 > MESSAGE_MAX:
            lines.append(more)
            break
        lines.append(item)
        size += len(item) + 1
    return "\n".join([*lines, *tail])


# --- the agenda: reminders, escalations, auto-close -------------------------------------------


@dataclass
class _Registry:
    """The units and their bound groups, read once per batch (not once per report)."""

    units: dict[int, Unit]
    chats: dict[int, list[UnitChat]]
    coordinator: Unit | None

    @classmethod
    async def load(cls, uow: UnitOfWork) -> _Registry:
        units = {unit.id: unit for unit in await uow.units.all()}
        chats: dict[int, list[UnitChat]] = defaultdict(list)
        for chat in await uow.units.active_chats():
            chats[chat.unit_id].append(chat)
        coordinator = next((u for u in units.values() if u.kind == UnitKind.COORDINATOR), None)
        return cls(units, chats, coordinator)

    def chats_of(self, unit: Unit | None) -> list[UnitChat]:
        return list(self.chats.get(unit.id, [])) if unit is not None else []

    def holder_chats(self, report: Report) -> list[UnitChat]:
        """The holder's groups; a holder without one is covered by the coordinator's."""
        holder = self.units.get(report.unit_id) if report.unit_id else None
        return self.chats_of(seen_by(holder, self.coordinator, lambda u: bool(self.chats_of(u))))

    def escalation_chats(self, report: Report) -> list[UnitChat]:
        """The holder's parent unit (when it has a group and is not the coordinator) and the
        coordinator's groups."""
        holder = self.units.get(report.unit_id) if report.unit_id else None
        parent = self.units.get(holder.parent_id) if holder and holder.parent_id else None
        chats = self.chats_of(parent) if parent and parent is not self.coordinator else []
        return chats + self.chats_of(self.coordinator)


@dataclass
class _Outgoing:
    """Lines collected in one batch, per group chat, sent as one message per kind."""

    reminders: dict[tuple[str, str], list[Report]] = field(
        default_factory=lambda: defaultdict(list)
    )
    escalations: dict[tuple[str, str], list[tuple[Report, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    chats: dict[tuple[str, str], UnitChat] = field(default_factory=dict)


async def _agenda_batch(
    uow_factory: UowFactory, deps: HandlerDeps, now: datetime, today: date, done: ReminderRound
) -> int:
    async with uow_factory() as uow:
        case = Case(uow=uow, deps=deps, now=now)
        reports = await uow.reports.due_for_notice(today, BATCH)
        registry = await _Registry.load(uow) if reports else None
        outgoing = _Outgoing()
        for report in reports:
            assert registry is not None
            await _look_at(case, registry, report, today, outgoing, done)
        if registry is not None:
            await _send_outgoing(case, registry, today, outgoing)
        await uow.commit()
    return len(reports)


async def _look_at(
    case: Case,
    registry: _Registry,
    report: Report,
    today: date,
    outgoing: _Outgoing,
    done: ReminderRound,
) -> None:
    seen = report.next_notice_on
    status = ReportStatus(report.status)
    if report.closed_at is not None:
        due = Due(None, None)  # closed for good: nothing more is owed
    else:
        due = notice_due(status, report.due_date, today, case.deps.calendar, _policy(case))
    if not await case.uow.reports.claim_notice(report.id, seen, due.next_on):
        return  # another run got there first
    report.next_notice_on = due.next_on
    if due.notice in (Notice.BEFORE, Notice.DAY):
        if _changed(case, report, CaseAction.REMIND, due.notice.value):
            # Reminders are batched: one message per group lists every report due.
            for chat in registry.holder_chats(report):
                key = (chat.channel, chat.chat_id)
                outgoing.chats[key] = chat
                outgoing.reminders[key].append(report)
            done.counts["reminders"] += 1
    elif due.notice == Notice.ESCALATE:
        if _changed(case, report, CaseAction.ESCALATE, str(due.level)):
            for chat in registry.escalation_chats(report):
                key = (chat.channel, chat.chat_id)
                outgoing.chats[key] = chat
                outgoing.escalations[key].append((report, due.level))
            done.counts["escalations"] += 1
    elif due.notice == Notice.AUTO_CLOSE:
        days = _policy(case).auto_close
        decision = _changed(case, report, CaseAction.AUTO_CLOSE, str(days))
        if decision is not None:
            await deliver(case, report, decision, {"days": days})
            done.counts["closed"] += 1


def _policy(case: Case) -> DeadlinePolicy:
    return case.deps.config.deadlines


def _changed(case: Case, report: Report, action: CaseAction, note: str) -> Decision | None:
    """The engine's change through the one rule; None when it is refused (the report moved on
    since the agenda was read)."""
    outcome = case.change(report, action, SYSTEM, note=note)
    return outcome if isinstance(outcome, Decision) else None


async def _send_outgoing(case: Case, registry: _Registry, today: date, outgoing: _Outgoing) -> None:
    late: dict[int, int] | None = None

    def unit_of(report: Report) -> Unit | None:
        return registry.units.get(report.unit_id) if report.unit_id else None

    for key, reports in outgoing.reminders.items():
        chat = outgoing.chats[key]
        tr = case.tr(chat.language)
        holder = unit_of(reports[0])
        head = [tr.t("clock.reminder.header", unit=holder.name if holder else "-")]
        items = [report_line(tr, case.deps, report, today) for report in reports]
        _send(case, chat, fit(tr, head, items, [tr.t("clock.reminder.footer")]))
    for key, escalated in outgoing.escalations.items():
        if late is None:
            late = await case.uow.reports.late_counts(today, _UNIT_STAGE_VALUES)
        chat = outgoing.chats[key]
        tr = case.tr(chat.language)
        by_unit: dict[int | None, list[tuple[Report, int]]] = defaultdict(list)
        for report, level in escalated:
            by_unit[report.unit_id].append((report, level))
        lines: list[str] = []
        for unit_id, group in by_unit.items():
            unit = unit_of(group[0][0])
            count = late.get(unit_id, 0) if unit_id is not None else len(group)
            lines.append(
                tr.t("clock.escalation.unit", unit=unit.name if unit else "-", count=count)
            )
            for report, level in group:
                line = report_line(tr, case.deps, report, today)
                lines.append(tr.t("clock.escalation.line", line=line, level=level))
        head = [tr.t("clock.escalation.header")]
        _send(case, chat, fit(tr, head, lines, [tr.t("clock.escalation.footer")]))


def _send(case: Case, chat: UnitChat, text: str) -> None:
    emit(case.uow, chat.channel, chat.chat_id, SendText(chat_id=chat.chat_id, text=text), case.now)


# --- Ombudsman RI -------------------------------------------------------------------------------


async def _ombudsman_batch(
    uow_factory: UowFactory, deps: HandlerDeps, now: datetime, today: date, done: ReminderRound
) -> int:
    """Unresolved after the Ombudsman period (the stage paused while waiting for the reporter):
    the reporter learns they may take it to Ombudsman RI, and the coordinator is told."""
    async with uow_factory() as uow:
        case = Case(uow=uow, deps=deps, now=now)
        reports = await uow.reports.due_for_ombudsman(today, _UNIT_STAGE_VALUES, BATCH)
        days = deps.config.deadlines.ombudsman
        for report in reports:
            seen = report.ombudsman_on
            if seen is None or not await uow.reports.claim_ombudsman(report.id, seen):
                continue
            decision = _changed(case, report, CaseAction.OMBUDSMAN, str(days))
            if decision is None:
                continue
            # The reporter's notice goes out as the decision says; the coordinator's line is
            # written here (a plain message, not a reply to the card).
            await deliver(
                case,
                report,
                replace(decision, notices=decision.notices[:1]),
                {"days": days},
            )
            unit = await uow.units.get(report.unit_id) if report.unit_id else None
            for chat in await coordinator_chats(case):
                tr = case.tr(chat.language)
                text = tr.t(
                    "clock.ombudsman",
                    number=report.tracking_no,
                    unit=unit.name if unit else "-",
                    days=days,
                )
                _send(case, chat, text)
            done.counts["ombudsman"] += 1
        await uow.commit()
    return len(reports)


# --- morning digests ----------------------------------------------------------------------------


async def _digests(
    uow_factory: UowFactory, deps: HandlerDeps, now: datetime, today: date, done: ReminderRound
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
            case = Case(uow=uow, deps=deps, now=now)
            if await _digest(case, unit, today):
                done.counts["digests"] += 1
            uow.reports.mark_digest(unit_id, today, now)
            await uow.commit()


async def _digest(case: Case, unit: Unit, today: date) -> bool:
    """Queue the unit's digest; False when there is nothing to say (a unit with nothing open)."""
    limit = case.deps.config.digest_max_items
    reports = await case.uow.reports.open_for_unit(unit.id, _OPEN_VALUES, limit=limit)
    total = await case.uow.reports.count_open_for_unit(unit.id, _OPEN_VALUES)
    coordinator = unit.kind == UnitKind.COORDINATOR
    late = await case.uow.reports.late_counts(today, _UNIT_STAGE_VALUES) if coordinator else {}
    if not reports and not coordinator:
        return False
    names = {u.id: u.name for u in await case.uow.units.all()} if late else {}
    for chat in await case.uow.units.chats_of(unit.id):
        tr = case.tr(chat.language)
        day = long_date(today, tr.language)
        head = [tr.t("clock.digest.header", unit=unit.name, date=day)]
        items: list[str] = []
        if coordinator:
            head.append(tr.t("clock.digest.late_total", count=sum(late.values())))
            for unit_id, count in sorted(late.items(), key=lambda item: (-item[1], item[0])):
                items.append(
                    tr.t("clock.digest.late_unit", unit=names.get(unit_id, "-"), count=count)
                )
            if reports:
                items.append(tr.t("clock.digest.own", count=total))
        else:
            head.append(tr.t("clock.digest.open", count=total))
        items += [report_line(tr, case.deps, report, today) for report in reports]
        tail = [tr.t("clock.more", count=total - len(reports))] if total > len(reports) else []
        tail.append(tr.t("clock.digest.footer"))
        _send(case, chat, fit(tr, head, items, tail))
    return True
