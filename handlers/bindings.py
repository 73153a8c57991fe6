"""Binding a group to a unit, as the groups hear it: ``/daftar``, ``/lepas``, ``/kode`` and the
coordinator's yes or no to a unit's second group. The domain work is ``cases.bindings``; here
the outcome is said. Whether the sender is an admin is asked of Telegram by the group's entry
points (``handlers.group``) before anything else, and passed in.

Bindings are visible: every group bound to or released from a unit is announced in the
coordinator's groups, with who did it and how many groups the unit has now. The coordinator unit
is no exception: a second coordinator group receives every card with the reporters' names, so
its appearance is told to the coordinator's existing groups (never to the group that was just
bound, which announces itself).
"""

from __future__ import annotations

import logging

from cases import bindings
from cases.bindings import BindingRefusal, Bound, IssuedCode
from core.callbacks import sign_callback
from core.lifecycle import OPEN_STATUSES
from core.roles import GroupAction
from handlers.actions import EditText, InlineButton, InlineKeyboard, SendText
from handlers.case import Case
from handlers.events import ButtonPress, Message
from handlers.formatting import clock_time, long_date
from handlers.notices import post_card
from handlers.outgoing import emit
from handlers.turn import Turn
from storage.models import Unit, UnitChat
from storage.unit_registry import normalise_binding_code

log = logging.getLogger(__name__)

#: Button scope of the coordinator's confirmation of a binding.
BINDING_SCOPE = "b"


def _role_refusal(turn: Turn, action: GroupAction) -> str:
    return turn.t("role.admin_only", action=turn.t(f"role.action.{action.value}"))


async def register(turn: Turn, message: Message, args: str, admin: bool) -> None:
    """``/daftar CODE``: bind this group to the code's unit (``admin``: the sender is one of the
    group's Telegram admins, asked before the use case)."""
    code = normalise_binding_code(args)
    if not code:
        turn.send(turn.t("group.code_missing"))
        return
    title = message.chat_title or turn.chat_id
    bound = await bindings.bind_group(
        turn.uow,
        turn.now,
        code,
        admin=admin,
        channel=turn.channel,
        chat_id=turn.chat_id,
        title=title,
        by=turn.event.sender.user_id,
        language=turn.deps.catalogs.default_language,
    )
    if isinstance(bound, BindingRefusal):
        turn.send(turn.t(f"group.{bound.value}"))
        return
    if bound.held:
        await request_confirmation(turn, bound.chat, bound.unit, title)
    else:
        await activate(turn, bound.chat, bound.unit)
    if bound.moved_from is not None:
        log.info("a group was moved from one unit to another")


async def release(turn: Turn, chat: UnitChat, unit: Unit, admin: bool) -> None:
    """``/lepas``: the group no longer receives the unit's reports."""
    if not bindings.release_group(turn.uow, turn.now, chat, admin=admin):
        turn.send(turn.t("group.admin_only"))
        return
    turn.send(turn.t("group.unbound", unit=unit.name))
    await announce(turn, "binding.released", unit, chat)


async def issue_code(turn: Turn, args: str, unit: Unit, admin: bool) -> None:
    """``/kode UNIT`` (the coordinator's group): a binding code for that unit."""
    issued = await bindings.issue_code(
        turn.uow,
        turn.now,
        unit,
        args.strip(),
        ttl=turn.deps.config.binding_code_ttl,
        admin=admin,
    )
    if issued == BindingRefusal.ADMIN_ONLY:
        turn.send(_role_refusal(turn, GroupAction.ISSUE_CODE))
    elif issued == BindingRefusal.UNIT_UNKNOWN:
        turn.send(turn.t("group.unit_unknown", code=args.strip()[:40] or "-"))
    elif isinstance(issued, BindingRefusal):
        turn.send(turn.t(f"group.{issued.value}"))
    else:
        turn.send(_issued_text(turn, issued))


def _issued_text(turn: Turn, issued: IssuedCode) -> str:
    tz = turn.deps.config.timezone
    local = issued.expires.astimezone(tz)
    lang = turn.conversation.language
    return turn.t(
        "group.code_issued",
        unit=issued.unit.name,
        code=issued.code,
        expires=f"{long_date(local.date(), lang)} {clock_time(local, tz, lang)}",
    )


async def announce(turn: Turn, key: str, unit: Unit, chat: UnitChat) -> None:
    """Tell the coordinator's groups (other than ``chat`` itself) that ``unit`` gained or lost
    ``chat``; ``key`` is ``binding.bound`` or ``binding.released``."""
    title = chat.title or chat.chat_id
    coordinator = await turn.uow.units.coordinator()
    if coordinator is None:
        return
    count = len(await turn.uow.units.chats_of(unit.id))
    by = turn.event.sender.display_name or "-"
    for target in await turn.uow.units.chats_of(coordinator.id):
        if target.id == chat.id:
            continue
        text = turn.deps.catalogs.get(target.language).t(
            key, title=title, unit=unit.name, by=by, count=count
        )
        _send(turn, target, SendText(chat_id=target.chat_id, text=text))


# --- a second group for a unit waits for the coordinator -----------------------------------


async def request_confirmation(turn: Turn, chat: UnitChat, unit: Unit, title: str) -> None:
    """Ask the coordinator's groups to confirm or refuse the held binding of ``chat``."""
    turn.send(turn.t("binding.awaiting", unit=unit.name))
    coordinator = await turn.uow.units.coordinator()
    if coordinator is None:
        return
    count = len(await turn.uow.units.chats_of(unit.id))
    by = turn.event.sender.display_name or "-"
    secret = turn.deps.config.callback_secret
    for target in await turn.uow.units.chats_of(coordinator.id):
        tr = turn.deps.catalogs.get(target.language)
        keyboard = InlineKeyboard(
            rows=(
                tuple(
                    InlineButton(
                        text=tr.t(f"binding.button.{answer}"),
                        data=sign_callback(f"{BINDING_SCOPE}:{chat.id}:{answer}", secret),
                    )
                    for answer in ("ok", "no")
                ),
            )
        )
        text = tr.t("binding.confirm", title=title, unit=unit.name, by=by, count=count)
        _send(turn, target, SendText(chat_id=target.chat_id, text=text, markup=keyboard))


async def on_confirmation(
    turn: Turn, press: ButtonPress, row_id: str, answer: str, admin: bool
) -> None:
    """A coordinator's admin confirms (``ok``) or refuses (``no``) a held binding."""
    here = await turn.uow.units.chat(turn.channel, turn.chat_id)
    outcome = await bindings.answer_binding(
        turn.uow, turn.now, here, row_id, yes=answer == "ok", admin=admin
    )
    if outcome == BindingRefusal.COORDINATOR_ONLY:
        turn.answer(turn.t("group.coordinator_only"), alert=True)
    elif outcome == BindingRefusal.ADMIN_ONLY:
        turn.answer(_role_refusal(turn, GroupAction.BIND), alert=True)
    elif isinstance(outcome, BindingRefusal):
        turn.answer(turn.t("button.stale"), alert=True)
    else:
        await _answered(turn, press, outcome, answer == "ok")


async def _answered(turn: Turn, press: ButtonPress, bound: Bound, yes: bool) -> None:
    chat, unit = bound.chat, bound.unit
    title = chat.title or chat.chat_id
    if yes:
        await activate(turn, chat, unit)
        outcome = turn.t("binding.confirmed", title=title, unit=unit.name)
    else:
        refused = turn.deps.catalogs.get(chat.language).t("binding.refused", unit=unit.name)
        _send(turn, chat, SendText(chat_id=chat.chat_id, text=refused))
        outcome = turn.t("binding.refused_here", title=title, unit=unit.name)
    turn.answer()
    if press.message_id is not None:
        turn.emit(EditText(chat_id=turn.chat_id, message_id=press.message_id, text=outcome))


async def activate(turn: Turn, chat: UnitChat, unit: Unit) -> None:
    """A binding takes effect: the group hears it, gets the pinned guide and the unit's open
    reports, and the coordinator's other groups are told."""
    tr = turn.deps.catalogs.get(chat.language)
    _send(turn, chat, SendText(chat_id=chat.chat_id, text=tr.t("group.bound", unit=unit.name)))
    _send(turn, chat, SendText(chat_id=chat.chat_id, text=tr.t("group.guide"), pin=True))
    _send(turn, chat, SendText(chat_id=chat.chat_id, text=tr.t("group.guide_more")))
    await announce(turn, "binding.bound", unit, chat)
    # Reports the unit already holds (e.g. transferred while it had no group) show up now.
    case = Case(uow=turn.uow, deps=turn.deps, now=turn.now)
    statuses = [s.value for s in OPEN_STATUSES]
    limit = turn.deps.config.queue_page_size
    for report in await turn.uow.reports.open_for_unit(unit.id, statuses, limit=limit):
        await post_card(case, report, unit, chat)


def _send(turn: Turn, chat: UnitChat, action: SendText) -> None:
    emit(turn.uow, chat.channel, chat.chat_id, action, turn.now)
