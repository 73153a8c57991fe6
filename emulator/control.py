"""Control API: what a test (or the training sandbox) does as the *user side* of Telegram.

All endpoints live under ``/control/<token>/`` and speak JSON (except ``files``, which also takes
multipart). Errors come back as ``{"ok": false, "error_code": 400, "description": ...}`` with the
same HTTP status.

``POST updates/message``
    ``{chat_id?, chat_type?: "private"|"group"|"supergroup", chat_title?, from: {id, first_name,
    last_name?, username?, language_code?}, text?, caption?, photo_file_id?, document_file_id?,
    mime_type?, file_name?, sticker?, voice?, video?, voice_file_id? / video_file_id? /
    video_note_file_id? with duration?, location?: {latitude, longitude}, contact?,
    media_group_id?, reply_to_message_id?}`` stores a user message (``chat_id`` defaults to the
    sender's private chat) and queues a ``message`` update -> ``{"update", "message"}``. A reply
    carries the whole replied message as ``reply_to_message`` (``from`` is the bot for its own).
``POST updates/callback``
    ``{chat_id?, from, message_id, data, force?}`` queues a ``callback_query``. Without ``force``
    the button must exist in the bot message's *current* inline keyboard, as a real client can
    only press what it sees -> ``{"update", "callback_query"}``.
``POST updates/member``
    ``{chat_id?, chat_type?: "group"|"supergroup"|"private", title?, from, status:
    "member"|"administrator"|"left"|"kicked", admins?: [user_id], members?: [user_id]}``: someone
    (``from``) changed the bot's own membership; queues ``my_chat_member`` with the old and new
    ChatMember. "left" (removed from a group) and "kicked" make later sends answer 403 "bot was
    kicked from the group chat"; "member"/"administrator" (re)add it, and getChatMember and
    pinChatMessage follow its rights. In a private chat "kicked" is the user blocking the bot.
    -> ``{"update", "my_chat_member"}``.
``POST updates/migrate``
    ``{chat_id, new_chat_id, from?}``: the group became a supergroup. Queues the service message
    with ``migrate_to_chat_id`` in the old chat and the one with ``migrate_from_chat_id`` in the
    new chat (sent by GroupAnonymousBot, as Telegram does), registers the supergroup with the
    same title, admins and members; later sends to the old id answer 400 "group chat was
    upgraded to a supergroup chat" with ``parameters.migrate_to_chat_id``
    -> ``{"updates", "chat"}``.
``POST updates/raw``
    ``{kind, payload}`` queues an update of ``kind`` with ``payload`` exactly as given, for
    updates a newer (or older) Bot API would send and a framework may not understand
    -> ``{"update"}``.
``POST updates/again``
    ``{update}``: an update issued before (as a ``message``/``callback`` call returned it) is
    queued again, id and all, where its id puts it: what Telegram does when the confirmation of
    an update never came (the bot died between storing it and its next getUpdates)
    -> ``{"update"}``.
``GET chat?chat_id=``
    the emulator's view of one chat: ``chat``, ``admins``, ``members``, ``pinned`` (message ids,
    newest last), ``bot_status``, ``blocked``, ``left``, ``migrated_to``.
``POST files``
    multipart ``file`` (+ ``mime_type``, ``file_name``) or JSON ``{data_base64, mime_type,
    file_name}`` -> ``{file_id, file_unique_id, file_size, file_path}``.
``GET messages?chat_id=&after_message_id=`` / ``GET messages/all``
    bot-sent messages in send order, current state, each with ``edited``, ``deleted``,
    ``sent_markup`` (the markup as sent, e.g. a reply keyboard) and ``method``.
``GET history?chat_id=&after_message_id=``
    every message of one chat as a client shows it: the users' and the bot's, in order, each
    with ``from_bot`` besides the fields of ``messages`` (the training sandbox draws its chats
    from it).
``GET callback_answers?chat_id=``, ``GET updates`` (pending), ``GET stats``
``POST faults`` ``{method?: "*", status?, count?: 1, retry_after?, delay?}``
    the next ``count`` matching calls answer ``status`` (500, 502, 429, 403, ...) after sleeping
    ``delay`` seconds; ``"*"`` matches every method except getUpdates.
``POST faults/clear`` drops every fault still waiting -> ``{"cleared"}``.
``POST block`` / ``POST unblock`` ``{chat_id}``;
``POST limits`` ``{flood_limits, global_per_second?, chat_per_second?, chat_burst?,
    group_per_minute?, group_burst?}`` switches flood limits with fresh buckets; rates left out
    are Telegram's (30/s, 1/s per chat with burst 3, 20/min per group with burst 20);
``POST chats`` ``{chat_id, type?, title?, admins?: [user_id], members?: [user_id]}``;
``POST reset`` drops all state of this bot.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from emulator.calls import MIGRATED
from emulator.errors import bad_request
from emulator.formatting import command_entities
from emulator.members import bot_status
from emulator.messages import document_object
from emulator.state import BotState, CallbackRecord, ChatState, FaultRule, JsonDict

_FAULT_STATUSES = frozenset({400, 403, 409, 429, 500, 502, 503, 504})


def _int(body: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = body.get(key, default)
    if value is None or value == "":
        raise bad_request(f"{key} is required")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"{key} must be an integer") from None


def _sender(bot: BotState, body: Mapping[str, Any]) -> JsonDict:
    sender = body.get("from")
    if not isinstance(sender, dict):
        raise bad_request("from must be an object with id and first_name")
    return bot.remember_user(sender)


def _placeholder_file(bot: BotState, kind: str, mime_type: str, extension: str) -> JsonDict:
    stored = bot.add_file(
        f"{kind} placeholder".encode(),
        mime_type=mime_type,
        file_name=f"{kind}.{extension}",
        kind=kind,
    )
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }


#: Voice notes and videos sent with real bytes (``<field>_file_id`` of an upload, ``duration``).
_CLIPS = (("voice", "audio/ogg"), ("video", "video/mp4"), ("video_note", "video/mp4"))


def _content(bot: BotState, chat: ChatState, body: Mapping[str, Any]) -> JsonDict:
    content: JsonDict = {}
    text = body.get("text")
    if text:
        content["text"] = str(text)
        entities = command_entities(str(text))
        if entities:
            content["entities"] = entities
    caption = body.get("caption")
    if caption:
        content["caption"] = str(caption)
        entities = command_entities(str(caption))
        if entities:
            content["caption_entities"] = entities
    if body.get("photo_file_id"):
        content["photo"] = bot.photo_array(bot.file(str(body["photo_file_id"])))
    if body.get("document_file_id"):
        stored = bot.file(str(body["document_file_id"]))
        document = document_object(stored)
        document["mime_type"] = body.get("mime_type") or stored.mime_type
        document["file_name"] = body.get("file_name") or stored.file_name
        content["document"] = document
    if body.get("sticker"):
        content["sticker"] = {
            **_placeholder_file(bot, "sticker", "image/webp", "webp"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "🙂",
        }
    for field, mime_type in _CLIPS:
        if body.get(f"{field}_file_id"):
            stored = bot.file(str(body[f"{field}_file_id"]))
            content[field] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data),
                "duration": int(body.get("duration") or 1),
            }
            if field != "video_note":
                content[field]["mime_type"] = mime_type
    if body.get("voice"):
        content["voice"] = {
            **_placeholder_file(bot, "voice", "audio/ogg", "oga"),
            "duration": 3,
            "mime_type": "audio/ogg",
        }
    if body.get("video"):
        content["video"] = {
            **_placeholder_file(bot, "video", "video/mp4", "mp4"),
            "width": 640,
            "height": 480,
            "duration": 5,
            "mime_type": "video/mp4",
        }
    location = body.get("location")
    if isinstance(location, dict):
        content["location"] = {
            "latitude": float(location["latitude"]),
            "longitude": float(location["longitude"]),
        }
    contact = body.get("contact")
    if isinstance(contact, dict):
        content["contact"] = {"first_name": "Contact", **contact}
    if not content:
        raise bad_request("message has no content")
    if body.get("media_group_id"):
        content["media_group_id"] = str(body["media_group_id"])
    if body.get("reply_to_message_id"):
        target = chat.messages.get(_int(body, "reply_to_message_id"))
        if target is None or target.deleted:
            raise bad_request("message to be replied not found")
        content["reply_to_message"] = {
            key: value for key, value in target.message.items() if key != "reply_to_message"
        }
    return content


def user_message(bot: BotState, body: Mapping[str, Any]) -> JsonDict:
    sender = _sender(bot, body)
    chat_type = str(body.get("chat_type") or "private")
    chat_id = _int(body, "chat_id", sender["id"])
    chat = bot.ensure_chat(chat_id, chat_type, title=str(body.get("chat_title") or ""), user=sender)
    if chat.migrated_to is not None:
        raise bad_request(MIGRATED)
    chat.members.add(sender["id"])
    record = bot.add_message(chat, _content(bot, chat, body), from_bot=False, sender=sender)
    update = bot.push_update("message", dict(record.message))
    return {"update": update, "message": dict(record.message)}


def raw_update(bot: BotState, body: Mapping[str, Any]) -> JsonDict:
    kind = str(body.get("kind") or "")
    payload = body.get("payload")
    if not kind or kind == "update_id" or not isinstance(payload, dict):
        raise bad_request("a raw update needs a kind and a JSON object payload")
    return {"update": bot.push_update(kind, dict(payload))}


def update_again(bot: BotState, body: Mapping[str, Any]) -> JsonDict:
    update = body.get("update")
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise bad_request("an update again needs the update, with its update_id")
    if not 0 < update["update_id"] < bot.next_update_id:
        raise bad_request("only an update issued before can come again")
    bot.redeliver(dict(update))
    return {"update": update}


def _callback_datas(message: JsonDict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [str(b["callback_data"]) for row in rows for b in row if "callback_data" in b]


def callback(bot: BotState, body: Mapping[str, Any]) -> JsonDict:
    sender = _sender(bot, body)
    chat = bot.chat(_int(body, "chat_id", sender["id"]))
    message_id = _int(body, "message_id")
    data = str(body.get("data", ""))
    record = chat.messages.get(message_id)
    alive = record is not None and not record.deleted
    if not body.get("force"):
        if record is None or not alive or not record.from_bot:
            raise bad_request(f"no bot message {message_id} in chat {chat.id} to press a button on")
        available = _callback_datas(record.message)
        if data not in available:
            raise bad_request(
                f"message {message_id} has no button with callback_data {data!r}; "
                f"available: {available!r}"
            )
    if record is not None and alive:
        message = dict(record.message)
    else:  # Telegram's InaccessibleMessage for deleted or unknown messages
        message = {"chat": dict(chat.chat), "message_id": message_id, "date": 0}
    query_id = str(secrets.randbits(62))
    bot.callbacks[query_id] = CallbackRecord(query_id, chat.id, message_id, data)
    payload: JsonDict = {
        "id": query_id,
        "from": sender,
        "message": message,
        "chat_instance": f"{bot.bot_id}{abs(chat.id)}",
        "data": data,
    }
    update = bot.push_update("callback_query", payload)
    return {"update": update, "callback_query": payload}


def add_fault(bot: BotState, body: Mapping[str, Any]) -> JsonDict:
    status = body.get("status")
    delay = float(body.get("delay") or 0)
    if status is not None:
        status = int(status)
        if status == 200:
            status = None
        elif status not in _FAULT_STATUSES:
            raise bad_request(f"status must be one of {sorted(_FAULT_STATUSES)} or 200")
    if status is None and delay <= 0:
        raise bad_request("a fault needs a status or a delay")
    rule = FaultRule(
        method=str(body.get("method") or "*").lower(),
        status=status,
        remaining=_int(body, "count", 1),
        retry_after=int(body.get("retry_after") or 5),
        delay=delay,
    )
    bot.faults.append(rule)
    return {"method": rule.method, "status": rule.status, "count": rule.remaining}


def clear_faults(bot: BotState, body: Mapping[str, Any]) -> JsonDict:
    """Drop every fault still waiting: Telegram is healthy again."""
    cleared = len(bot.faults)
    bot.faults.clear()
    return {"cleared": cleared}


def register_chat(bot: BotState, body: Mapping[str, Any]) -> JsonDict:
    chat_id = _int(body, "chat_id")
    chat_type = str(body.get("type") or ("private" if chat_id > 0 else "supergroup"))
    title = str(body.get("title") or "")
    chat = bot.ensure_chat(chat_id, chat_type, title=title, user=body.get("user"))
    if title and not chat.is_private:
        chat.chat["title"] = title
    chat.admins.update(int(user_id) for user_id in body.get("admins") or [])
    chat.members.update(int(user_id) for user_id in body.get("members") or [])
    chat.left = False
    return dict(chat.chat)


def chat_id_of(query: Mapping[str, str]) -> int:
    return _int(query, "chat_id")


def set_blocked(bot: BotState, body: Mapping[str, Any], blocked: bool) -> JsonDict:
    chat = bot.chat(_int(body, "chat_id"))
    chat.blocked = blocked
    return {"chat_id": chat.id, "blocked": blocked}


def callback_answers(bot: BotState, query: Mapping[str, str]) -> list[JsonDict]:
    answers = bot.callback_answers
    if query.get("chat_id"):
        chat_id = _int(query, "chat_id")
        answers = [a for a in answers if a["chat_id"] == chat_id]
    return answers


def chat_state(bot: BotState, query: Mapping[str, str]) -> JsonDict:
    chat = bot.chat(_int(query, "chat_id"))
    return {
        "chat": dict(chat.chat),
        "admins": sorted(chat.admins - {bot.bot_id}),
        "members": sorted(chat.members - {bot.bot_id}),
        "pinned": list(chat.pinned),
        "bot_status": bot_status(bot, chat),
        "blocked": chat.blocked,
        "left": chat.left,
        "migrated_to": chat.migrated_to,
    }
