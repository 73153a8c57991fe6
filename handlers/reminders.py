"""The reminder engine's words (pengingat): the messages its round owes, for the groups and the
reporters. The round itself (what is owed, the decisions, the claims) is the use case
``cases.reminders``; :class:`ReminderTexts` is its notices port, and :func:`run_reminders` runs
a round with the bot's settings. Messages go through the outbox in the same transaction as the
state they record, like every other message of the case work.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from cases.reminders import Engine, Owed, run_round
from cases.reminders import ReminderRound as ReminderRound
from cases.reminders import UowFactory as UowFactory
from core.deadlines import UNIT_STAGES
from core.decisions import Decision, Rules
from core.lifecycle import OPEN_STATUSES, CaseAction
from core.permissions import UnitKind
from core.routing import seen_by
from handlers.actions import SendText
from handlers.case import Case
from handlers.deps import HandlerDeps
from handlers.formatting import long_date
from handlers.notices import deliver, notify_reporter, reporter_language
from handlers.outgoing import emit
from handlers.routing import coordinator_chats
from handlers.stage_dates import stage_due
from locales import Translator
from storage import assignees
from storage.models import Report, Unit, UnitChat
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

#: Telegram's limit for one message; longer lists are cut and the rest counted.
MESSAGE_MAX = 4096


async def run_reminders(
    uow_factory: UowFactory, deps: HandlerDeps, now: datetime | None = None
) -> ReminderRound:
    """Everything the reminder engine owes at ``now`` (default: the clock's now), once."""
    config = deps.config
    rules = Rules(deps.calendar, config.timezone, config.deadlines)
    engine = Engine(rules, deps.categories, config.morning, ReminderTexts(deps))
    return await run_round(uow_factory, engine, now or deps.clock())


@dataclass(frozen=True)
class ReminderTexts:
    """The words of the reminder engine's messages (``cases.reminders.ReminderNotices``)."""

    deps: HandlerDeps

    async def agenda(self, uow: UnitOfWork, now: datetime, today: date, owed: list[Owed]) -> None:
        case = Case(uow=uow, deps=self.deps, now=now)
        registry = await _Registry.load(uow)
        outgoing = _Outgoing()
        for item in owed:
            await _owed(case, registry, item, outgoing)
        await _send_outgoing(case, registry, today, outgoing)

    async def ombudsman(
        self, uow: UnitOfWork, now: datetime, report: Report, decision: Decision
    ) -> None:
        await _ombudsman(Case(uow=uow, deps=self.deps, now=now), report, decision)

    async def digest(self, uow: UnitOfWork, now: datetime, unit: Unit, today: date) -> bool:
        return await _digest(Case(uow=uow, deps=self.deps, now=now), unit, today)


# --- lines about reports ----------------------------------------------------------------------


def deadline_mark(tr: Translator, deps: HandlerDeps, report: Report, today: date) -> str:
    """ "⚠️ terlambat 2 hari kerja …", "⏰ tenggat hari ini" or "tenggat <date>"; "" when the
    unit has no deadline running (waiting for the reporter, finished)."""
    due = report.due_date
    if due is None or report.status not in UNIT_STAGES:
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
    if report.assignee_id:
        parts.append(tr.t("clock.mark.assignee", name=report.assignee_name or "-"))
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
    # Reminders for the person responsible, in their private chat: (channel, user id).
    personal: dict[tuple[str, str], list[Report]] = field(default_factory=lambda: defaultdict(list))
    languages: dict[tuple[str, str], str] = field(default_factory=dict)


async def _owed(case: Case, registry: _Registry, owed: Owed, outgoing: _Outgoing) -> None:
    report, decision = owed.report, owed.decision
    if decision.action == CaseAction.REMIND:
        if await _to_person(case, registry, report, outgoing):
            return
        # Reminders are batched: one message per group lists every report due.
        for chat in registry.holder_chats(report):
            key = (chat.channel, chat.chat_id)
            outgoing.chats[key] = chat
            outgoing.reminders[key].append(report)
    elif decision.action == CaseAction.ESCALATE:
        for chat in registry.escalation_chats(report):
            key = (chat.channel, chat.chat_id)
            outgoing.chats[key] = chat
            outgoing.escalations[key].append((report, owed.level))
        if owed.level == 1:
            await _tell_reporter_escalated(case, registry, report)
    elif decision.action == CaseAction.AUTO_CLOSE:
        await deliver(case, report, decision, {"days": case.deps.config.deadlines.auto_close})


async def _to_person(case: Case, registry: _Registry, report: Report, outgoing: _Outgoing) -> bool:
    """The reminder goes to the person responsible, when they have started a private chat with
    the bot; otherwise (False) to the group, whose line names them."""
    if not report.assignee_id:
        return False
    chats = registry.holder_chats(report)
    channel = chats[0].channel if chats else report.channel
    language = await assignees.private_language(case.uow.session, channel, report.assignee_id)
    if language is None:
        return False
    key = (channel, report.assignee_id)
    outgoing.personal[key].append(report)
    outgoing.languages[key] = language
    return True


async def _tell_reporter_escalated(case: Case, registry: _Registry, report: Report) -> None:
    """The reporter learns their report is late and was taken up the ladder: once, at the
    first escalation (the later ones would only repeat it every working day)."""
    holder = registry.units.get(report.unit_id) if report.unit_id else None
    tr = case.tr(await reporter_language(case, report))
    due = stage_due(tr, report.status, report.due_date, case.deps.calendar, case.today())
    await notify_reporter(
        case, report, "notify.escalated", unit=holder.name if holder else "-", due=due
    )


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
    for (channel, user_id), reports in outgoing.personal.items():
        tr = case.tr(outgoing.languages[(channel, user_id)])
        head = [tr.t("clock.reminder.personal_header")]
        items = [report_line(tr, case.deps, r, today, unit_of(r)) for r in reports]
        text = fit(tr, head, items, [tr.t("clock.reminder.personal_footer")])
        emit(case.uow, channel, user_id, SendText(chat_id=user_id, text=text), case.now)
    for key, escalated in outgoing.escalations.items():
        if late is None:
            late = await case.uow.reports.late_counts(today, tuple(UNIT_STAGES))
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


async def _ombudsman(case: Case, report: Report, decision: Decision) -> None:
    """The reporter's notice goes out as the decision says; the coordinator's line is written
    here (a plain message, not a reply to the card)."""
    days = case.deps.config.deadlines.ombudsman
    await deliver(case, report, replace(decision, notices=decision.notices[:1]), {"days": days})
    unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    for chat in await coordinator_chats(case):
        tr = case.tr(chat.language)
        text = tr.t(
            "clock.ombudsman",
            number=report.tracking_no,
            unit=unit.name if unit else "-",
            days=days,
        )
        _send(case, chat, text)


# --- morning digests ----------------------------------------------------------------------------


async def _digest(case: Case, unit: Unit, today: date) -> bool:
    """Queue the unit's digest; False when there is nothing to say (a unit with nothing open)."""
    limit = case.deps.config.digest_max_items
    reports = await case.uow.reports.open_for_unit(unit.id, tuple(OPEN_STATUSES), limit=limit)
    total = await case.uow.reports.count_open_for_unit(unit.id, tuple(OPEN_STATUSES))
    coordinator = unit.kind == UnitKind.COORDINATOR
    late = await case.uow.reports.late_counts(today, tuple(UNIT_STAGES)) if coordinator else {}
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
