"""Bindings are visible: every group bound to or released from a unit is announced in the
coordinator's groups, with who did it and how many groups the unit has now.

The coordinator unit is no exception: a second coordinator group receives every card with the
reporters' names, so its appearance is told to the coordinator's existing groups (never to the
group that was just bound, which announces itself).
"""

from __future__ import annotations

from handlers.actions import SendText, action_to_dict
from handlers.turn import Turn
from storage.models import Unit


async def announce(turn: Turn, key: str, unit: Unit, title: str) -> None:
    """Tell the coordinator's groups (other than this chat) that ``unit`` gained or lost this
    group; ``key`` is ``binding.bound`` or ``binding.released``."""
    coordinator = await turn.uow.units.coordinator()
    if coordinator is None:
        return
    count = len(await turn.uow.units.chats_of(unit.id))
    by = turn.event.sender.display_name or "-"
    for chat in await turn.uow.units.chats_of(coordinator.id):
        if chat.channel == turn.channel and chat.chat_id == turn.chat_id:
            continue
        text = turn.deps.catalogs.get(chat.language).t(
            key, title=title, unit=unit.name, by=by, count=count
        )
        turn.uow.outbox.add(
            channel=chat.channel,
            chat_id=chat.chat_id,
            payload=action_to_dict(SendText(chat_id=chat.chat_id, text=text)),
            now=turn.now,
        )
