"""The Bot API methods about chats and their members: getChat, getChatMember and the
administrators, pins, leaving a chat, and getFile."""

from __future__ import annotations

from emulator.calls import (
    DOWNLOAD_LIMIT,
    Call,
    _chat_id,
    _message_id,
    _writable_chat,
    api_method,
)
from emulator.errors import (
    bad_request,
)
from emulator.messages import (
    _strip_reply,
)
from emulator.state import BotState, ChatState, JsonDict


@api_method("getFile")
async def get_file(call: Call) -> JsonDict:
    file_id = call.params.text("file_id") or ""
    stored = call.bot.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return stored.describe()


@api_method("pinChatMessage")
async def pin_chat_message(call: Call) -> bool:
    chat = _writable_chat(call)
    if not chat.is_private and bot_status(call.bot, chat) != "administrator":
        raise bad_request("not enough rights to manage pinned messages in the chat")
    message_id = _message_id(call)
    record = chat.messages.get(message_id)
    if record is None or record.deleted:
        raise bad_request("message to pin not found")
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    chat.pinned.append(message_id)
    return True


@api_method("unpinChatMessage")
async def unpin_chat_message(call: Call) -> bool:
    chat = _writable_chat(call)
    message_id = call.params.integer("message_id")
    if message_id is None:
        if chat.pinned:
            chat.pinned.pop()
    elif message_id in chat.pinned:
        chat.pinned.remove(message_id)
    else:
        raise bad_request("message to unpin not found")
    return True


@api_method("getChat")
async def get_chat(call: Call) -> JsonDict:
    chat = call.bot.chat(_chat_id(call))
    info: JsonDict = {
        **chat.chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
    if chat.pinned:
        pinned = chat.messages.get(chat.pinned[-1])
        if pinned is not None:
            info["pinned_message"] = _strip_reply(pinned.message)
    return info


def _user_object(bot: BotState, user_id: int) -> JsonDict:
    if user_id == bot.bot_id:
        return bot.me
    return bot.users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "User"}


def _administrator(user: JsonDict) -> JsonDict:
    flags = [
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
        "can_send_welcome_messages",
        "can_pin_messages",
    ]
    return {
        "status": "administrator",
        "user": user,
        "can_be_edited": False,
        "is_anonymous": False,
        **dict.fromkeys(flags, True),
    }


def bot_status(bot: BotState, chat: ChatState) -> str:
    """The bot's own status in a chat: administrator (the default in groups), member, left or
    kicked. Removal from a group leaves ``left`` and ``blocked`` both set: getChatMember says
    "left", sends say "kicked", as Telegram does; leaveChat sets only ``left``."""
    if chat.left:
        return "left"
    if chat.blocked:
        return "kicked"
    if chat.is_private:
        return "member"
    if bot.bot_id in chat.members and bot.bot_id not in chat.admins:
        return "member"
    return "administrator"


def chat_member(bot: BotState, chat: ChatState, user_id: int) -> JsonDict:
    """A ChatMember object as getChatMember answers it."""
    user = _user_object(bot, user_id)
    if user_id == bot.bot_id:
        status = bot_status(bot, chat)
        if status == "administrator":
            return _administrator(user)
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}
    if user_id in chat.admins:
        return _administrator(user)
    if chat.is_private and user_id == chat.id:
        return {"status": "member", "user": user}
    if user_id in chat.members:
        return {"status": "member", "user": user}
    return {"status": "left", "user": user}


@api_method("getChatMember")
async def get_chat_member(call: Call) -> JsonDict:
    chat = call.bot.chat(_chat_id(call))
    user_id = call.params.integer("user_id", required="user not found")
    assert user_id is not None
    return chat_member(call.bot, chat, user_id)


@api_method("getChatAdministrators")
async def get_chat_administrators(call: Call) -> list[JsonDict]:
    chat = call.bot.chat(_chat_id(call))
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    admins = [
        chat_member(call.bot, chat, user_id)
        for user_id in sorted(chat.admins)
        if user_id != call.bot.bot_id
    ]
    if bot_status(call.bot, chat) == "administrator":
        admins.append(_administrator(call.bot.me))
    return admins


@api_method("leaveChat")
async def leave_chat(call: Call) -> bool:
    chat = call.bot.chat(_chat_id(call))
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    chat.left = True
    return True
