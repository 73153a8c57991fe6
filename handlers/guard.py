"""The role check in a unit's group: ``core.roles`` decides, this asks Telegram who is admin.

Telegram is asked (``getChatMember``) only when the action needs more than membership, so the
everyday work of members costs no extra call. A refusal says which role the action needs, in
the language of the group.
"""

from __future__ import annotations

from core.roles import GroupAction, GroupRole, may, needs_admin, required_role
from handlers.ask_first import sender_is_admin
from handlers.events import ButtonPress
from handlers.turn import Turn

#: Prompts remember who opened them: ``<action>@<user id>`` in the link's action.
OPENER = "@"


async def role_of(turn: Turn) -> GroupRole:
    sender = turn.event.sender
    if sender_is_admin(turn):
        return GroupRole.ADMIN
    chat = await turn.uow.units.chat(turn.channel, turn.chat_id)
    if (
        chat is not None
        and chat.active
        and await turn.uow.units.is_officer(chat.unit_id, turn.channel, sender.user_id)
    ):
        return GroupRole.OFFICER
    return GroupRole.MEMBER


async def permitted(turn: Turn, action: GroupAction) -> bool:
    """Whether the sender may do ``action`` here; if not, they are told why."""
    if not needs_admin(action) or may(await role_of(turn), action):
        return True
    key = f"role.{required_role(action).value}_only"
    text = turn.t(key, action=turn.t(f"role.action.{action.value}"))
    if isinstance(turn.event, ButtonPress):
        turn.answer(text, alert=True)
    else:
        turn.send(text)
    return False


def with_opener(link_action: str, user_id: str) -> str:
    """A prompt's link action that remembers who opened it."""
    return f"{link_action}{OPENER}{user_id}"


def split_opener(link_action: str) -> tuple[str, str]:
    """``(action, opener's user id)``; the opener is '' for prompts written before this rule."""
    action, _, opener = link_action.partition(OPENER)
    return action, opener
