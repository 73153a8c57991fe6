"""Who administers a group, asked of Telegram when someone binds or releases a unit group."""

from __future__ import annotations

from collections.abc import Mapping

from bot.channels.base import Channel
from bot.channels.errors import PermanentError
from bot.telegram_render import chat_id_param

ADMIN_STATUSES = frozenset({"creator", "administrator"})


class TelegramChatAdmins:
    """``getChatMember`` through the channel that carried the update.

    A permanent refusal (user or chat unknown) means "not an admin"; network trouble propagates,
    so the inbox retries the update instead of wrongly refusing a real admin.
    """

    def __init__(self, channels: Mapping[str, Channel]) -> None:
        self._channels = channels

    async def is_admin(self, channel: str, chat_id: str, user_id: str) -> bool:
        target = self._channels.get(channel)
        if target is None or not user_id.lstrip("-").isdigit():
            return False
        try:
            member = await target.call(
                "getChatMember", {"chat_id": chat_id_param(chat_id), "user_id": int(user_id)}
            )
        except PermanentError:
            return False
        return isinstance(member, Mapping) and member.get("status") in ADMIN_STATUSES
