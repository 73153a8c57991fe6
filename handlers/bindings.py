"""Bindings are visible: every group bound to or released from a unit is announced in the
coordinator's groups, with who did it and how many groups the unit has now.

The coordinator unit is no exception: a second coordinator group receives every card with the
reporters' names, so its appearance is told to the coordinator's existing groups (never to the
group that was just bound, which announces itself).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.callbacks import sign_callback
from core.lifecycle import OPEN_STATUSES
from core.roles import GroupAction
from handlers.actions import EditText, InlineButton, InlineKeyboard, SendText
from handlers.case import Case
from handlers.events import ButtonPress
from handlers.guard import permitted
from handlers.notices import post_card
from handlers.outgoing import emit
from handlers.turn import Turn
from storage.models import Unit, UnitChat


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

#: Button scope of the coordinator's confirmation of a binding.
BINDING_SCOPE = "b"
#: ``unbound_reason`` of a binding that waits for the coordinator, and of a refused one.
AWAITING = "awaiting_confirmation"
REFUSED = "refused_by_coordinator"


def needs_confirmation(others: Sequence[UnitChat]) -> bool:
    """A unit that already has a group gets another only with the coordinator's yes."""
    return bool(others)


async def request_confirmation(turn: Turn, chat: UnitChat, unit: Unit, title: str) -> None:
    """Hold the new binding and ask the coordinator's groups to confirm or refuse it."""
    chat.active = False
    chat.unbound_reason = AWAITING
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


async def on_confirmation(turn: Turn, press: ButtonPress, row_id: str, answer: str) -> None:
    """A coordinator's admin confirms (``ok``) or refuses (``no``) a held binding."""
    here = await turn.uow.units.chat(turn.channel, turn.chat_id)
    coordinator = await turn.uow.units.coordinator()
    if here is None or not here.active or coordinator is None or here.unit_id != coordinator.id:
        turn.answer(turn.t("group.coordinator_only"), alert=True)
        return
    if not await permitted(turn, GroupAction.BIND):
        return
    chat = await turn.uow.units.chat_by_id(int(row_id)) if row_id.isdigit() else None
    unit = await turn.uow.units.get(chat.unit_id) if chat is not None else None
    if chat is None or unit is None or chat.active or chat.unbound_reason != AWAITING:
        turn.answer(turn.t("button.stale"), alert=True)
        return
    title = chat.title or chat.chat_id
    tr = turn.deps.catalogs.get(chat.language)
    if answer == "ok":
        chat.active, chat.unbound_reason = True, ""
        await activate(turn, chat, unit)
        outcome = turn.t("binding.confirmed", title=title, unit=unit.name)
    else:
        chat.unbound_reason = REFUSED
        chat.unbound_at = turn.now
        refused = tr.t("binding.refused", unit=unit.name)
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
    await announce(turn, "binding.bound", unit, chat)
    # Reports the unit already holds (e.g. transferred while it had no group) show up now.
    case = Case(uow=turn.uow, deps=turn.deps, now=turn.now)
    statuses = [s.value for s in OPEN_STATUSES]
    limit = turn.deps.config.queue_page_size
    for report in await turn.uow.reports.open_for_unit(unit.id, statuses, limit=limit):
        await post_card(case, report, unit, chat)


def _send(turn: Turn, chat: UnitChat, action: SendText) -> None:
    emit(turn.uow, chat.channel, chat.chat_id, action, turn.now)
