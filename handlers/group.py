"""Unit group chats: binding a group, the officers' commands, buttons and replies.

Telegram's privacy mode means the bot sees, in a group, only commands, replies to its own
messages and button presses; so everything here starts from one of those.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from core import commands
from core.callbacks import verify_callback
from core.deadlines import UNIT_STAGES
from core.decisions import DUPLICATE_REASON
from core.inputs import says_nothing
from core.lifecycle import OPEN_STATUSES, ReportStatus
from core.permissions import ARCHIVE_REASONS, CaseAction, UnitKind, may_act, refusal
from core.purposes import Purpose
from core.roles import GroupAction, for_case
from core.tracking import TrackingCheck, parse_tracking_number
from handlers import (
    bindings,
    console_login,
    notices,
    officer_actions,
    reminders,
    similar,
    typed_prompts,
)
from handlers.actions import EditText, ForceReply, InlineKeyboard, SendText
from handlers.cards import (
    AREA_STEP,
    KECAMATAN_STEP,
    UNIT_SCOPE,
    archive_keyboard,
    desa_keyboard,
    duplicate_keyboard,
    kecamatan_keyboard,
    transfer_keyboard,
)
from handlers.case import Case, Officer
from handlers.deps import HandlerDeps
from handlers.events import BotMembership, ButtonPress, ChatMigrated, Message, Photo
from handlers.formatting import clock_time, long_date
from handlers.guard import permitted, split_opener, with_opener
from handlers.outgoing import emit
from handlers.pending import hold_press_until_linked, replied_link
from handlers.turn import Turn
from storage.models import Report, Unit, UnitChat
from storage.unit_registry import issue_binding_code, normalise_binding_code
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

ACTION_COMMANDS = commands.ACTIONS
#: Actions that need the officer's words: asked for with a prompt the officer replies to.
PROMPTED = frozenset({CaseAction.ASK, CaseAction.NOTE, CaseAction.DONE})
NOTE_MAX = 3500


def _case(turn: Turn) -> Case:
    return Case(uow=turn.uow, deps=turn.deps, now=turn.now)


async def _bound_chat(turn: Turn) -> tuple[UnitChat, Unit] | None:
    chat = await turn.uow.units.chat(turn.channel, turn.chat_id)
    if chat is None or not chat.active:
        return None
    unit = await turn.uow.units.get(chat.unit_id)
    return (chat, unit) if unit is not None else None


def _officer(turn: Turn, unit: Unit) -> Officer:
    sender = turn.event.sender
    return Officer(user_id=sender.user_id, name=sender.display_name, unit=unit)


# --- entry points ----------------------------------------------------------------------------


def addresses_bot(event: Message | ButtonPress) -> bool:
    """Whether a group update is meant for the bot (a command, a button, a reply)."""
    if isinstance(event, ButtonPress):
        return True
    return bool(event.command) or event.reply_to_message_id is not None


async def on_message(turn: Turn, message: Message) -> None:
    bound = await _bound_chat(turn)
    if message.command:
        await _on_command(turn, message, bound)
    elif message.reply_to_message_id is not None and bound is not None:
        await _on_reply(turn, message, bound)
    elif bound is not None:
        await _on_typed(turn, message, bound)
    # Anything else is the officers talking among themselves: not the bot's business.


async def on_press(turn: Turn, press: ButtonPress) -> None:
    payload = verify_callback(press.data, turn.deps.config.callback_secret)
    parts = payload.split(":") if payload else []
    if len(parts) == 3 and parts[0] == bindings.BINDING_SCOPE:
        await bindings.on_confirmation(turn, press, parts[1], parts[2])
        return
    if len(parts) < 3 or parts[0] != UNIT_SCOPE or not parts[1].isdigit():
        log.warning("refused button data in a group that this bot never issued there")
        turn.answer(turn.t("button.unknown"), alert=True)
        return
    bound = await _bound_chat(turn)
    if bound is None:
        turn.answer(turn.t("group.not_bound"), alert=True)
        return
    await hold_press_until_linked(turn, press.message_id)
    report = await turn.uow.reports.get(int(parts[1]))
    if report is None or not may_act(bound[1].kind, bound[1].id, report.unit_id):
        log.warning("refused a report button pressed in a group of another unit")
        turn.answer(turn.t("case.not_yours"), alert=True)
        return
    await _button_action(
        turn, press, bound[1], report, parts[2], parts[3] if len(parts) > 3 else ""
    )


async def on_membership(uow: UnitOfWork, deps: HandlerDeps, event: BotMembership) -> None:
    """Added to a group: say how to bind it. Removed: unbind, and tell the coordinator."""
    now = deps.clock()
    chat = await uow.units.chat(event.channel, event.chat_id)
    tr = deps.catalogs.get(deps.catalogs.default_language)
    if event.present:
        if chat is None or not chat.active:
            text = tr.t("group.added")
            _send_text(uow, event.channel, event.chat_id, text, now)
        return
    if chat is None or not chat.active:
        return
    uow.units.unbind(chat, reason=event.status or "left", now=now)
    unit = await uow.units.get(chat.unit_id)
    log.warning("the bot was removed from a bound group (unit %s)", unit.code if unit else "?")
    await _tell_coordinator(
        uow,
        deps,
        now,
        "group.removed_notice",
        title=chat.title or "-",
        unit=unit.name if unit else "-",
    )


async def on_migrated(uow: UnitOfWork, deps: HandlerDeps, event: ChatMigrated) -> None:
    """A group upgraded to a supergroup keeps its binding and queued messages. Its old messages
    (cards, prompts) stay behind in the old group with dead buttons, so the unit's open reports
    are posted again as fresh cards in the supergroup."""
    if not await uow.units.move_chat(event.channel, event.chat_id, event.new_chat_id):
        return
    log.info("a bound group became a supergroup; its binding follows the new chat id")
    chat = await uow.units.chat(event.channel, event.new_chat_id)
    unit = await uow.units.get(chat.unit_id) if chat is not None and chat.active else None
    if chat is None or unit is None:
        return
    case = Case(uow=uow, deps=deps, now=deps.clock())
    statuses = [s.value for s in OPEN_STATUSES]
    limit = deps.config.queue_page_size
    if unit.kind == UnitKind.COORDINATOR:
        reports = await uow.reports.open_all(statuses, limit=limit)
    else:
        reports = await uow.reports.open_for_unit(unit.id, statuses, limit=limit)
    for report in reports:
        holder = await uow.units.get(report.unit_id) if report.unit_id else None
        await notices.post_card(case, report, holder, chat)


def _send_text(uow: UnitOfWork, channel: str, chat_id: str, text: str, now: datetime) -> None:
    emit(uow, channel, chat_id, SendText(chat_id=chat_id, text=text), now)


async def _tell_coordinator(
    uow: UnitOfWork, deps: HandlerDeps, now: datetime, key: str, **values: object
) -> None:
    coordinator = await uow.units.coordinator()
    if coordinator is None:
        return
    for chat in await uow.units.chats_of(coordinator.id):
        text = deps.catalogs.get(chat.language).t(key, **values)
        _send_text(uow, chat.channel, chat.chat_id, text, now)


# --- commands ------------------------------------------------------------------------------


async def _on_command(turn: Turn, message: Message, bound: tuple[UnitChat, Unit] | None) -> None:
    name, args = message.command, message.command_args
    if name in commands.REGISTER:
        await _register(turn, message, args, bound)
    elif name in commands.START + commands.HELP:
        turn.send(turn.t("group.guide") if bound else turn.t("group.unbound_help"))
    elif name in commands.CITIZEN_ONLY:
        turn.send(turn.t("group.private_only"))
    elif bound is None:
        turn.send(turn.t("group.unbound_help"))
    else:
        await _bound_command(turn, message, name, args, bound)


async def _bound_command(
    turn: Turn, message: Message, name: str, args: str, bound: tuple[UnitChat, Unit]
) -> None:
    chat, unit = bound
    if name in commands.UNREGISTER:
        await _unbind(turn, message, chat, unit)
    elif name in commands.QUEUE:
        await _queue(turn, unit)
    elif name in commands.LATE:
        await _late(turn, unit)
    elif name in commands.REPORT:
        report = await _report_arg(turn, args.split(maxsplit=1)[0] if args else "", unit)
        if report is not None:
            await notices.post_card(_case(turn), report, await _holder(turn, report), chat)
    elif name in commands.CODE:
        await _issue_code(turn, args, unit)
    elif name in commands.FAILED:
        await _failed_deliveries(turn, unit)
    elif name in console_login.COMMANDS:
        await console_login.send_link(turn, unit)
    elif name in ACTION_COMMANDS:
        await _action_command(turn, message, ACTION_COMMANDS[name], args, unit)
    else:
        turn.send(turn.t("group.unknown_command"))


async def _holder(turn: Turn, report: Report) -> Unit | None:
    return await turn.uow.units.get(report.unit_id) if report.unit_id else None


async def _is_admin(turn: Turn) -> bool:
    admins = turn.deps.admins
    if admins is None:
        return False
    return await admins.is_admin(turn.channel, turn.chat_id, turn.event.sender.user_id)


async def _register(
    turn: Turn, message: Message, args: str, bound: tuple[UnitChat, Unit] | None
) -> None:
    code = normalise_binding_code(args)
    if not code:
        turn.send(turn.t("group.code_missing"))
        return
    if not await _is_admin(turn):
        turn.send(turn.t("group.admin_only"))
        return
    found = await turn.uow.units.binding_code(code)
    if found is None:
        turn.send(turn.t("group.code_unknown"))
        return
    if found.used_at is not None:
        turn.send(turn.t("group.code_used"))
        return
    if found.expires_at <= turn.now:
        turn.send(turn.t("group.code_expired"))
        return
    unit = await turn.uow.units.get(found.unit_id)
    if unit is None:
        turn.send(turn.t("group.code_unknown"))
        return
    found.used_at = turn.now
    found.used_in_chat = turn.chat_id
    title = message.chat_title or turn.chat_id
    chat = await turn.uow.units.bind(
        unit.id,
        channel=turn.channel,
        chat_id=turn.chat_id,
        title=title,
        by=turn.event.sender.user_id,
        now=turn.now,
    )
    others = [c for c in await turn.uow.units.chats_of(unit.id) if c.id != chat.id]
    if bindings.needs_confirmation(others):
        await bindings.request_confirmation(turn, chat, unit, title)
    else:
        await bindings.activate(turn, chat, unit)
    if bound is not None and bound[1].id != unit.id:
        log.info("a group was moved from one unit to another")


async def _unbind(turn: Turn, message: Message, chat: UnitChat, unit: Unit) -> None:
    if not await _is_admin(turn):
        turn.send(turn.t("group.admin_only"))
        return
    turn.uow.units.unbind(chat, reason="unbound", now=turn.now)
    turn.send(turn.t("group.unbound", unit=unit.name))
    await bindings.announce(turn, "binding.released", unit, chat)


async def _issue_code(turn: Turn, args: str, unit: Unit) -> None:
    if unit.kind != UnitKind.COORDINATOR:
        turn.send(turn.t("group.coordinator_only"))
        return
    if not await permitted(turn, GroupAction.ISSUE_CODE):
        return
    target = await turn.uow.units.by_code(args.strip().lower()) if args.strip() else None
    if target is None:
        turn.send(turn.t("group.unit_unknown", code=args.strip()[:40] or "-"))
        return
    code = await issue_binding_code(
        turn.uow, target.id, now=turn.now, ttl=turn.deps.config.binding_code_ttl
    )
    expires = turn.now + turn.deps.config.binding_code_ttl
    tz = turn.deps.config.timezone
    local = expires.astimezone(tz)
    lang = turn.conversation.language
    turn.send(
        turn.t(
            "group.code_issued",
            unit=target.name,
            code=code,
            expires=f"{long_date(local.date(), lang)} {clock_time(local, tz)}",
        )
    )


async def _failed_deliveries(turn: Turn, unit: Unit) -> None:
    if unit.kind != UnitKind.COORDINATOR:
        turn.send(turn.t("group.coordinator_only"))
        return
    rows = await turn.uow.outbox.failed(limit=20)
    if not rows:
        turn.send(turn.t("group.failed_none"))
        return
    lines = [turn.t("group.failed_header", count=len(rows))]
    for row in rows:
        report = await turn.uow.reports.get(row.report_id) if row.report_id else None
        lines.append(
            turn.t(
                "group.failed_item",
                number=report.tracking_no if report else "-",
                error=(row.error or "-")[:80],
            )
        )
    turn.send("\n".join(lines))


async def _queue(turn: Turn, unit: Unit) -> None:
    statuses = [s.value for s in OPEN_STATUSES]
    limit = turn.deps.config.queue_page_size
    if unit.kind == UnitKind.COORDINATOR:
        reports = await turn.uow.reports.open_all(statuses, limit=limit)
    else:
        reports = await turn.uow.reports.open_for_unit(unit.id, statuses, limit=limit)
    if not reports:
        turn.send(turn.t("queue.empty", unit=unit.name))
        return
    if unit.kind == UnitKind.COORDINATOR:
        total = await turn.uow.reports.count_open_all(statuses)
    else:
        total = await turn.uow.reports.count_open_for_unit(unit.id, statuses)
    today = _case(turn).today()
    coordinator = unit.kind == UnitKind.COORDINATOR
    items = [
        reminders.report_line(
            turn.tr, turn.deps, report, today, await _holder(turn, report) if coordinator else None
        )
        for report in reports
    ]
    head = [turn.t("queue.header", unit=unit.name, count=total)]
    tail = [turn.t("clock.more", count=total - len(reports))] if total > len(reports) else []
    turn.send(reminders.fit(turn.tr, head, items, tail))


async def _late(turn: Turn, unit: Unit) -> None:
    """/terlambat (coordinator): every late report, grouped by the unit that holds it."""
    if unit.kind != UnitKind.COORDINATOR:
        turn.send(turn.t("late.coordinator_only"))
        return
    today = _case(turn).today()
    stages = [s.value for s in UNIT_STAGES]
    counts = await turn.uow.reports.late_counts(today, stages)
    if not counts:
        turn.send(turn.t("late.none"))
        return
    reports = await turn.uow.reports.late(today, stages, limit=turn.deps.config.queue_page_size * 5)
    by_unit: dict[int | None, list[Report]] = {}
    for report in reports:
        by_unit.setdefault(report.unit_id, []).append(report)
    items: list[str] = []
    for unit_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        holder = await turn.uow.units.get(unit_id)
        items.append(turn.t("late.unit", unit=holder.name if holder else "-", count=count))
        items += [
            "  " + reminders.report_line(turn.tr, turn.deps, report, today)
            for report in by_unit.get(unit_id, [])
        ]
    head = [turn.t("late.header", count=sum(counts.values()))]
    turn.send(reminders.fit(turn.tr, head, items, [turn.t("late.footer")]))


async def _report_arg(turn: Turn, text: str, unit: Unit) -> Report | None:
    """The report named by a tracking number in a command, if this group may act on it."""
    parsed = parse_tracking_number(text)
    if parsed.check == TrackingCheck.MALFORMED:
        turn.send(turn.t("group.number_missing"))
        return None
    if parsed.check == TrackingCheck.MISTYPED:
        turn.send(turn.t("status.mistyped", number=text.strip()[:20]))
        return None
    report = await turn.uow.reports.by_tracking_number(parsed.number)
    if report is None or not may_act(unit.kind, unit.id, report.unit_id):
        turn.send(turn.t("group.report_unknown", number=parsed.number))
        return None
    return report


async def _action_command(
    turn: Turn, message: Message, action: CaseAction, args: str, unit: Unit
) -> None:
    if not await permitted(turn, for_case(action)):
        return
    number, _, rest = args.partition(" ")
    report = await _report_arg(turn, number, unit)
    if report is None:
        return
    rest = rest.strip()
    officer = _officer(turn, unit)
    to_unit: Unit | None = None
    reason = ""
    if action == CaseAction.TRANSFER:
        code, _, rest = rest.partition(" ")
        to_unit = await turn.uow.units.by_code(code.strip().lower()) if code else None
        if to_unit is None:
            turn.send(turn.t("group.unit_unknown", code=code[:40] or "-"))
            return
        rest = rest.strip()
    if action == CaseAction.ARCHIVE:
        reason, _, rest = rest.partition(" ")
        if reason not in ARCHIVE_REASONS:
            turn.send(turn.t("group.archive_usage", reasons=", ".join(ARCHIVE_REASONS)))
            return
        rest = rest.strip()
        if reason == DUPLICATE_REASON:
            await _duplicate_command(turn, report, officer, rest)
            return
    if action in PROMPTED and says_nothing(rest):
        turn.send(turn.t(f"group.usage.{action.value}"))
        return
    await _perform(
        turn, report, action, officer, note=rest[:NOTE_MAX], to_unit=to_unit, reason=reason
    )


async def _perform(
    turn: Turn,
    report: Report,
    action: CaseAction,
    officer: Officer,
    *,
    note: str = "",
    to_unit: Unit | None = None,
    reason: str = "",
    photos: Sequence[Photo] = (),
    original: Report | None = None,
) -> bool:
    refused = await officer_actions.act(
        _case(turn),
        report,
        action,
        officer,
        note=note,
        to_unit=to_unit,
        reason=reason,
        photos=photos,
        original=original,
    )
    message = (
        turn.t(f"case.refused.{refused}")
        if refused
        else turn.t(f"case.ok.{action.value}", number=report.tracking_no)
    )
    if isinstance(turn.event, ButtonPress):
        turn.answer(message, alert=bool(refused))
    else:
        turn.send(message)
    return not refused


# --- buttons ---------------------------------------------------------------------------------


async def _button_action(
    turn: Turn, press: ButtonPress, unit: Unit, report: Report, name: str, arg: str
) -> None:
    if name == "x":
        turn.answer()
        _close_picker(turn, press, turn.t("picker.cancelled"))
        return
    try:
        action = CaseAction(name)
    except ValueError:
        turn.answer(turn.t("button.unknown"), alert=True)
        return
    refused = refusal(action, ReportStatus(report.status))
    if refused:
        turn.answer(turn.t(f"case.refused.{refused}"), alert=True)
        return
    if not await permitted(turn, for_case(action)):
        return
    officer = _officer(turn, unit)
    if action == CaseAction.VERIFY:
        await _perform(turn, report, action, officer)
    elif action in PROMPTED:
        _prompt(turn, press, report, action.value, officer)
        turn.answer(turn.t("case.prompt_sent"))
    elif action == CaseAction.TRANSFER:
        await _transfer_button(turn, press, report, officer, arg)
    elif action == CaseAction.ARCHIVE:
        if not arg:
            _picker(
                turn,
                press,
                report,
                turn.t("picker.archive"),
                archive_keyboard(turn.tr, turn.deps, report.id),
            )
            turn.answer()
        elif arg == DUPLICATE_REASON or arg.startswith(similar.DUPLICATE_ARG):
            await _duplicate_button(turn, press, report, officer, arg)
        elif arg in ARCHIVE_REASONS:
            if await _perform(turn, report, action, officer, reason=arg):
                _close_picker(
                    turn, press, turn.t("picker.archived", reason=turn.t(f"archive.reason.{arg}"))
                )
        else:
            turn.answer(turn.t("button.unknown"), alert=True)
    else:
        turn.answer(turn.t("button.unknown"), alert=True)


async def _duplicate_button(
    turn: Turn, press: ButtonPress, report: Report, officer: Officer, arg: str
) -> None:
    """Arsipkan → Duplikat: pick the open original (laporan serupa), then merge into it."""
    if arg == DUPLICATE_REASON:
        found = await similar.originals(turn, report)
        if not found:
            turn.answer(turn.t("picker.duplicate_none", number=report.tracking_no), alert=True)
            return
        keyboard = duplicate_keyboard(turn.tr, turn.deps, report.id, found)
        _picker(turn, press, report, turn.t("picker.duplicate"), keyboard)
        turn.answer()
        return
    original = await similar.original_of(turn, report, arg)
    if original is None:
        turn.answer(turn.t("case.refused.original_required"), alert=True)
        return
    reason = DUPLICATE_REASON
    if await _perform(turn, report, CaseAction.ARCHIVE, officer, reason=reason, original=original):
        await similar.merged(_case(turn), report, original)
        _close_picker(turn, press, turn.t("picker.duplicated", original=original.tracking_no))


async def _duplicate_command(turn: Turn, report: Report, officer: Officer, rest: str) -> None:
    """``/arsipkan NOMOR duplikat NOMOR_ASLI [catatan]``: the typed twin of the picker."""
    number, _, note = rest.partition(" ")
    if not number:
        turn.send(turn.t("group.duplicate_usage", number=report.tracking_no))
        return
    original = await similar.original_by_number(turn, report, number)
    if original is None:
        turn.send(turn.t("case.refused.original_required"))
        return
    archived = await _perform(
        turn,
        report,
        CaseAction.ARCHIVE,
        officer,
        note=note.strip()[:NOTE_MAX],
        reason=DUPLICATE_REASON,
        original=original,
    )
    if archived:
        await similar.merged(_case(turn), report, original)


async def _transfer_button(
    turn: Turn, press: ButtonPress, report: Report, officer: Officer, arg: str
) -> None:
    if not arg:
        options = await _transfer_options(turn, report)
        keyboard = transfer_keyboard(turn.tr, turn.deps, report.id, options)
        _picker(turn, press, report, turn.t("picker.transfer"), keyboard)
        turn.answer()
        return
    if arg == AREA_STEP:
        kecamatan = await turn.uow.units.of_kind(UnitKind.KECAMATAN)
        keyboard = kecamatan_keyboard(turn.tr, turn.deps, report.id, kecamatan)
        _edit_picker(turn, press, report, turn.t("picker.transfer_kecamatan"), keyboard)
        turn.answer()
        return
    if arg.startswith(KECAMATAN_STEP) and arg[len(KECAMATAN_STEP) :].isdigit():
        await _desa_step(turn, press, report, int(arg[len(KECAMATAN_STEP) :]))
        return
    target = await turn.uow.units.get(int(arg)) if arg.isdigit() else None
    if target is None or target.id == report.unit_id:
        turn.answer(turn.t("case.refused.unknown_unit"), alert=True)
        return
    _close_picker(turn, press, turn.t("picker.transfer_chosen", unit=target.name))
    _prompt(
        turn, press, report, f"{CaseAction.TRANSFER.value}:{target.id}", officer, unit=target.name
    )
    turn.answer(turn.t("case.prompt_sent"))


async def _desa_step(turn: Turn, press: ButtonPress, report: Report, kecamatan_id: int) -> None:
    """The desa/kelurahan of one kecamatan, and its office; the holder is not offered."""
    office = await turn.uow.units.get(kecamatan_id)
    if office is None or office.kind != UnitKind.KECAMATAN or not office.active:
        turn.answer(turn.t("case.refused.unknown_unit"), alert=True)
        return
    desa = [
        unit
        for unit in await turn.uow.units.of_kind(UnitKind.DESA)
        if unit.parent_id == office.id and unit.id != report.unit_id
    ]
    offered = office if office.id != report.unit_id else None
    keyboard = desa_keyboard(turn.tr, turn.deps, report.id, offered, desa)
    text = turn.t("picker.transfer_desa", kecamatan=office.name)
    _edit_picker(turn, press, report, text, keyboard)
    turn.answer()


async def _transfer_options(turn: Turn, report: Report) -> list[Unit]:
    """Where a report can go from here: the holder's parent, every OPD, the coordinator."""
    holder = await _holder(turn, report)
    options: list[Unit] = []
    if holder is not None and holder.parent_id is not None:
        parent = await turn.uow.units.get(holder.parent_id)
        if parent is not None and parent.kind != UnitKind.COORDINATOR:
            options.append(parent)
    options += await turn.uow.units.of_kind(UnitKind.OPD)
    coordinator = await turn.uow.units.coordinator()
    if coordinator is not None:
        options.append(coordinator)
    return [u for u in options if holder is None or u.id != holder.id][:30]


def _picker(
    turn: Turn, press: ButtonPress, report: Report, text: str, keyboard: InlineKeyboard
) -> None:
    turn.emit(
        SendText(
            chat_id=turn.chat_id,
            text=turn.t("picker.header", number=report.tracking_no) + "\n" + text,
            markup=keyboard,
            reply_to_message_id=press.message_id,
        ),
        report.id,
        purpose=Purpose.RELAY,
    )


def _edit_picker(
    turn: Turn, press: ButtonPress, report: Report, text: str, keyboard: InlineKeyboard
) -> None:
    """The next step of a picker, in the same message (a new one if it cannot be edited)."""
    if press.message_id is None:
        _picker(turn, press, report, text, keyboard)
        return
    header = turn.t("picker.header", number=report.tracking_no)
    turn.emit(
        EditText(
            chat_id=turn.chat_id,
            message_id=press.message_id,
            text=f"{header}\n{text}",
            markup=keyboard,
        )
    )


def _close_picker(turn: Turn, press: ButtonPress, text: str) -> None:
    if press.message_id is not None:
        turn.emit(EditText(chat_id=turn.chat_id, message_id=press.message_id, text=text))


def _prompt(
    turn: Turn,
    press: ButtonPress,
    report: Report,
    link_action: str,
    officer: Officer,
    **values: str,
) -> None:
    """Ask the officer for the words of an action; their reply to this message performs it."""
    typed_prompts.remember(turn, officer.user_id, report.id, link_action)
    key = link_action.split(":", 1)[0]
    text = turn.t(f"prompt.{key}", number=report.tracking_no, officer=officer.name or "-", **values)
    turn.emit(
        SendText(
            chat_id=turn.chat_id,
            text=text,
            markup=ForceReply(placeholder=turn.t(f"prompt.placeholder.{key}")),
            reply_to_message_id=press.message_id,
        ),
        report.id,
        purpose=Purpose.PROMPT,
        link_action=with_opener(link_action, turn.event.sender.user_id),
    )


# --- replies -----------------------------------------------------------------------------------


async def _on_reply(turn: Turn, message: Message, bound: tuple[UnitChat, Unit]) -> None:
    assert message.reply_to_message_id is not None
    link = await replied_link(turn, message)
    if link is None:
        await _on_typed(turn, message, bound)  # a reply to a colleague, right after a prompt
        return
    unit = bound[1]
    report = await turn.uow.reports.get(link.report_id)
    if report is None:
        return
    if not may_act(unit.kind, unit.id, report.unit_id):
        turn.send(turn.t("case.not_yours"))
        return
    officer = _officer(turn, unit)
    text = "" if says_nothing(message.text) else message.text.strip()[:NOTE_MAX]
    if link.purpose == Purpose.PROMPT and link.action:
        await _prompt_answer(turn, message, report, officer, link.action, text)
        return
    if says_nothing(text) and not message.photos:
        turn.send(turn.t("group.need_text"))
        return
    refused = await officer_actions.answer_reporter(
        _case(turn), report, officer, text, message.photos
    )
    turn.send(
        turn.t(f"case.refused.{refused}")
        if refused
        else turn.t("case.relayed", number=report.tracking_no)
    )


async def _on_typed(turn: Turn, message: Message, bound: tuple[UnitChat, Unit]) -> None:
    """The officer's next message after a prompt they did not reply to (handlers.typed_prompts)."""
    if not message.text.strip():
        return  # a photo without words, a sticker: the prompt keeps waiting for the words
    pending = typed_prompts.take(turn, turn.event.sender.user_id)
    if pending is None:
        return
    report = await turn.uow.reports.get(pending.report_id)
    unit = bound[1]
    if report is None or not may_act(unit.kind, unit.id, report.unit_id):
        return
    officer = _officer(turn, unit)
    if pending.expired:
        turn.send(turn.t("prompt.expired", officer=officer.name or "-", number=report.tracking_no))
        return
    text = message.text.strip()[:NOTE_MAX]
    await _prompt_answer(turn, message, report, officer, pending.link_action, text)


async def _prompt_answer(
    turn: Turn, message: Message, report: Report, officer: Officer, link_action: str, text: str
) -> None:
    link_action, opener = split_opener(link_action)
    name, _, arg = link_action.partition(":")
    someone_else = bool(opener) and opener != turn.event.sender.user_id
    if someone_else and not await permitted(turn, GroupAction.ANSWER_OTHERS_PROMPT):
        return
    if not await permitted(turn, for_case(CaseAction(name))):
        return
    if says_nothing(text):
        turn.send(turn.t("group.need_text"))
        return
    typed_prompts.forget(turn, officer.user_id)
    action = CaseAction(name)
    to_unit = (
        await turn.uow.units.get(int(arg))
        if action == CaseAction.TRANSFER and arg.isdigit()
        else None
    )
    # Photos sent with the answer reach the reporter too.
    await _perform(turn, report, action, officer, note=text, to_unit=to_unit, photos=message.photos)
