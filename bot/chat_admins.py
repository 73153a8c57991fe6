"""Who administers a group, asked of Telegram when someone binds or releases a unit group."""

from __future__ import annotations

from collections.abc import Mapping

from bot.channels.base import Channel
from bot.channels.errors import PermanentError
from bot.telegram_render import chat_id_param

ADMIN_STATUSES = frozenset({"creator", "administrator"})
#: Still in the group ("restricted" members too; "left" and "kicked" are gone).
MEMBER_STATUSES = ADMIN_STATUSES | {"member", "restricted"}


class TelegramChatAdmins:
    """``getChatMember`` through the channel that carried the update.

    A permanent refusal (user or chat unknown) means "not an admin"; network trouble propagates,
    so the inbox retries the update instead of wrongly refusing a real admin.
    """

    def __init__(self, channels: Mapping[str, Channel]) -> None:
        self._channels = channels

    async def is_admin(self, channel: str, chat_id: str, user_id: str) -> bool:
        return await self._status(channel, chat_id, user_id) in ADMIN_STATUSES

    async def is_member(self, channel: str, chat_id: str, user_id: str) -> bool:
        return await self._status(channel, chat_id, user_id) in MEMBER_STATUSES

    async def _status(self, channel: str, chat_id: str, user_id: str) -> str:
        """The user's status in the chat ('' when Telegram refused for good)."""
        target = self._channels.get(channel)
        if target is None or not user_id.lstrip("-").isdigit():
            return ""
        try:
            member = await target.call(
                "getChatMember", {"chat_id": chat_id_param(chat_id), "user_id": int(user_id)}
            )
        except PermanentError:
            return ""
        status = member.get("status") if isinstance(member, Mapping) else None
        return status if isinstance(status, str) else ""
