"""The control API's group events: a member joins or leaves, the bot's own status changes
(added, made admin, removed), and a group migrates to a supergroup, each as Telegram reports it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.calls import MIGRATED
from emulator.control import _int, _sender
from emulator.errors import bad_request
from emulator.members import chat_member
from emulator.state import BotState, ChatState, JsonDict

_MEMBER_STATUSES = frozenset({"member", "administrator", "left", "kicked"})


# Telegram's "Group" account that signs messages sent on behalf of a group, such as the
# service message that opens a supergroup made from a group.
GROUP_ANONYMOUS_BOT: JsonDict = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


def _set_bot_status(bot: BotState, chat: ChatState, status: str) -> None:
    chat.admins.discard(bot.bot_id)
    chat.members.discard(bot.bot_id)
    # Removed from a group ("left") or banned ("kicked"): sends answer "bot was kicked".
    chat.blocked = status in ("left", "kicked")
    chat.left = status == "left"
    if status == "administrator":
        chat.admins.add(bot.bot_id)
    elif status == "member" and not chat.is_private:
        chat.members.add(bot.bot_id)


def member_update(bot: BotState, body: Mapping[str, Any]) -> JsonDict:
    sender = _sender(bot, body)
    status = str(body.get("status") or "")
    if status not in _MEMBER_STATUSES:
        raise bad_request(f"status must be one of {sorted(_MEMBER_STATUSES)}")
    chat_id = _int(body, "chat_id", sender["id"])
    chat_type = str(body.get("chat_type") or ("private" if chat_id > 0 else "supergroup"))
    existed = chat_id in bot.chats
    title = str(body.get("title") or "")
    chat = bot.ensure_chat(chat_id, chat_type, title=title, user=sender)
    if chat.migrated_to is not None:
        raise bad_request(MIGRATED)
    if chat.is_private and status not in ("member", "kicked"):
        raise bad_request("in a private chat the bot can only be member or kicked (blocked)")
    if title and not chat.is_private:
        chat.chat["title"] = title
    old = chat_member(bot, chat, bot.bot_id) if existed else {"status": "left", "user": bot.me}
    _set_bot_status(bot, chat, status)
    if not chat.is_private:
        chat.members.add(sender["id"])
    chat.admins.update(int(user_id) for user_id in body.get("admins") or [])
    chat.members.update(int(user_id) for user_id in body.get("members") or [])
    payload: JsonDict = {
        "chat": dict(chat.chat),
        "from": sender,
        "date": bot.now(),
        "old_chat_member": old,
        "new_chat_member": chat_member(bot, chat, bot.bot_id),
    }
    update = bot.push_update("my_chat_member", payload)
    return {"update": update, "my_chat_member": payload}


def migrate_group(bot: BotState, body: Mapping[str, Any]) -> JsonDict:
    old = bot.chat(_int(body, "chat_id"))
    new_chat_id = _int(body, "new_chat_id")
    if old.chat["type"] != "group":
        raise bad_request("only a group can be upgraded to a supergroup")
    if old.migrated_to is not None:
        raise bad_request(MIGRATED)
    if new_chat_id in bot.chats or new_chat_id >= 0:
        raise bad_request("new_chat_id must be a new negative chat id")
    sender = _sender(bot, body) if body.get("from") is not None else GROUP_ANONYMOUS_BOT
    new = bot.ensure_chat(new_chat_id, "supergroup", title=str(old.chat.get("title") or ""))
    new.admins.update(old.admins)
    new.members.update(old.members)
    new.blocked, new.left = old.blocked, old.left
    # Service messages first, then the switch, so the old chat still accepts its last message.
    moved_out = bot.add_message(
        old, {"migrate_to_chat_id": new_chat_id}, from_bot=False, sender=sender
    )
    old.migrated_to = new_chat_id
    moved_in = bot.add_message(
        new,
        {"sender_chat": dict(new.chat), "migrate_from_chat_id": old.id},
        from_bot=False,
        sender=GROUP_ANONYMOUS_BOT,
    )
    updates = [
        bot.push_update("message", dict(moved_out.message)),
        bot.push_update("message", dict(moved_in.message)),
    ]
    return {"updates": updates, "chat": dict(new.chat)}
