"""Unit group chats: where each update of a group goes.

Telegram's privacy mode means the bot sees, in a group, only commands, replies to its own
messages and button presses; so everything here starts from one of those. Commands are
``handlers.group_commands``, the cards' buttons ``handlers.group_presses``, replies
``handlers.group_replies``, what a group reads ``handlers.group_views``; binding a group is
``handlers.bindings``. The domain work of each is a use case in ``cases/`` (docs/cases.md).
"""

from __future__ import annotations

import logging
from datetime import datetime

from core.callbacks import verify_callback
from core.lifecycle import OPEN_STATUSES
from core.permissions import UnitKind
from core.roles import GroupAction
from handlers import (
    answer_templates,
    assignment,
    bindings,
    card_screens,
    group_commands,
    group_presses,
    group_replies,
    notices,
)
from handlers.actions import SendText
from handlers.cards import ASSIGN_BUTTON, LESS_BUTTON, MORE_BUTTON, UNIT_SCOPE
from handlers.case import Case
from handlers.deps import HandlerDeps
from handlers.events import BotMembership, ButtonPress, ChatMigrated, Message
from handlers.group_acting import admin_if_needed, bound_chat, press_needs
from handlers.outgoing import emit
from handlers.pending import hold_press_until_linked
from handlers.turn import Turn
from storage import assignees
from storage.models import Unit
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


# --- entry points ----------------------------------------------------------------------------


def addresses_bot(event: Message | ButtonPress) -> bool:
    """Whether a group update is meant for the bot (a command, a button, a reply)."""
    if isinstance(event, ButtonPress):
        return True
    return bool(event.command) or event.reply_to_message_id is not None


async def on_message(turn: Turn, message: Message) -> None:
    if message.command:
        # Telegram is asked who is admin first, before the turn's first query (docs/cases.md).
        admin = await admin_if_needed(
            turn, *group_commands.needs(message.command, message.command_args)
        )
        commanded = await bound_chat(turn)
        if commanded is not None:
            await remember_sender(turn, commanded[1])
        await group_commands.on_command(turn, message, commanded, admin)
        return
    bound = await bound_chat(turn)
    if bound is not None:
        await remember_sender(turn, bound[1])
    if message.reply_to_message_id is not None and bound is not None:
        await group_replies.on_reply(turn, message, bound)
    elif bound is not None:
        await group_replies.on_typed(turn, message, bound)
    # Anything else is the officers talking among themselves: not the bot's business.


async def on_press(turn: Turn, press: ButtonPress) -> None:
    payload = verify_callback(press.data, turn.deps.config.callback_secret)
    parts = payload.split(":") if payload else []
    # Telegram is asked who is admin first, before the turn's first query (docs/cases.md).
    if len(parts) == 3 and parts[0] == bindings.BINDING_SCOPE:
        admin = await admin_if_needed(turn, GroupAction.BIND)
        await bindings.on_confirmation(turn, press, parts[1], parts[2], bool(admin))
        return
    if len(parts) < 3 or parts[0] != UNIT_SCOPE or not parts[1].isdigit():
        log.warning("refused button data in a group that this bot never issued there")
        turn.answer(turn.t("button.unknown"), alert=True)
        return
    arg = parts[3] if len(parts) > 3 else ""
    admin = await admin_if_needed(turn, *press_needs(parts[2], arg))
    bound = await bound_chat(turn)
    if bound is None:
        turn.answer(turn.t("group.not_bound"), alert=True)
        return
    await hold_press_until_linked(turn, press.message_id)
    report = await turn.uow.reports.get(int(parts[1]))
    if report is None:
        log.warning("refused a button of a report that does not exist")
        turn.answer(turn.t("case.not_yours"), alert=True)
        return
    # Whether this group may touch the report is the use case's check (cases.officer).
    await remember_sender(turn, bound[1])
    if parts[2] not in (MORE_BUTTON, LESS_BUTTON):
        await card_screens.forget_screen(turn.uow, press, report)
    if parts[2] == ASSIGN_BUTTON:
        await assignment.on_button(turn, press, bound[1], report, arg, admin)
        return
    if parts[2] in (MORE_BUTTON, LESS_BUTTON):
        await card_screens.on_button(turn, press, bound[0], bound[1], report, parts[2])
        return
    if parts[2] in answer_templates.BUTTONS:
        await answer_templates.on_button(turn, press, bound[1], report, parts[2], arg, admin)
        return
    await group_presses.on_report_button(turn, press, bound[1], report, parts[2], arg, admin)


async def remember_sender(turn: Turn, unit: Unit) -> None:
    """Someone who uses the bot in the unit's group becomes someone a report can be assigned
    to (``storage.assignees``)."""
    sender = turn.event.sender
    if sender.user_id:
        name = sender.display_name
        await assignees.seen(
            turn.uow.session, unit.id, turn.channel, sender.user_id, name, turn.now
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
