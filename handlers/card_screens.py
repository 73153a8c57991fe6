"""The card's two screens: "⋯ Lainnya" shows the buttons used less often and "‹ Kembali" the
daily ones again (handlers/cards.py). A press only rewrites the card; every action pressed on
either screen is checked when it is taken, as before. A press on a card whose report has left
the group, or is closed, is answered politely and changes nothing.

The screen a card's message shows is kept on its message link (``SHOWING_MORE``), so a redraw
for anything else (a note, an assignment, an action in the console) leaves an officer
who is in "⋯ Lainnya" there. Any other button pressed on the card forgets it: after an action
the card shows its first screen again."""

from __future__ import annotations

from core.purposes import Purpose
from handlers.cards import MORE_BUTTON, SHOWING_MORE, card_keyboard
from handlers.events import ButtonPress
from handlers.group_acting import case_of
from handlers.group_views import visible
from handlers.notices import edit_card
from handlers.routing import is_coordinator_chat
from handlers.turn import Turn
from storage.models import Report, Unit, UnitChat
from storage.uow import UnitOfWork


async def on_button(
    turn: Turn, press: ButtonPress, chat: UnitChat, unit: Unit, report: Report, name: str
) -> None:
    if not visible(unit, report):
        turn.answer(turn.t("case.not_yours"), alert=True)
        return
    case = case_of(turn)
    coordinator = await is_coordinator_chat(case, chat)
    more = name == MORE_BUTTON
    if card_keyboard(turn.tr, turn.deps, report, coordinator=coordinator, more=more) is None:
        turn.answer(turn.t("button.stale"), alert=True)
        return
    await _show(turn.uow, press, report, more=more)
    holder = await turn.uow.units.get(report.unit_id) if report.unit_id else None
    await edit_card(case, report, holder, chat, moved_to=None, more=more)
    turn.answer()


async def forget_screen(uow: UnitOfWork, press: ButtonPress, report: Report) -> None:
    """Another button of the card was pressed: its next redraw shows the first screen."""
    await _show(uow, press, report, more=False)


async def _show(uow: UnitOfWork, press: ButtonPress, report: Report, *, more: bool) -> None:
    if press.message_id is None:
        return
    link = await uow.links.find(press.channel, press.chat_id, press.message_id)
    if link is not None and link.purpose == Purpose.CARD and link.report_id == report.id:
        link.action = SHOWING_MORE if more else ""
