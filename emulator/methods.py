"""The Bot API methods the emulator implements, with Telegram's validation and error texts.

Each handler gets a :class:`Call` (the bot's state plus parsed parameters) and returns the
``result`` value or raises :class:`~emulator.errors.ApiError`. Parameters may come from a
query string, a form, multipart or JSON; object parameters sent in forms are JSON strings, so
:meth:`Params.obj` accepts both.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time

from emulator import webhook
from emulator.calls import (
    _CHAT_ACTIONS,
    _COMMAND_NAME_RE,
    _SECRET_RE,
    CALLBACK_ANSWER_LIMIT,
    MAX_POLL_TIMEOUT,
    Call,
    _chat_id,
    _message_id,
    _writable_chat,
    api_method,
)
from emulator.errors import (
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    ApiError,
    bad_request,
)
from emulator.messages import (
    _caption_fields,
    _markup,
    _media_object,
    _reply_fields,
    _resolve_file,
    _send,
    _text_fields,
    document_object,
)
from emulator.state import ChatState, JsonDict, MessageRecord

# --- shared helpers ------------------------------------------------------------------------


# --- identity, webhook, commands ---------------------------------------------------------


@api_method("getMe")
async def get_me(call: Call) -> JsonDict:
    return {
        **call.bot.me,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("logOut")
async def log_out(call: Call) -> bool:
    return True


@api_method("close")
async def close(call: Call) -> bool:
    return True


@api_method("setWebhook")
async def set_webhook(call: Call) -> bool:
    """Remember the URL and push updates to it (``emulator.webhook``); getUpdates then
    conflicts, as in Telegram."""
    bot = call.bot
    url = call.params.text("url") or ""
    secret = call.params.text("secret_token") or ""
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if secret and not _SECRET_RE.match(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    bot.webhook_url = url
    bot.webhook_secret = secret
    bot.webhook_max_connections = call.params.integer("max_connections") or 40
    allowed = call.params.obj("allowed_updates")
    if isinstance(allowed, list):
        bot.allowed_updates = [str(kind) for kind in allowed] or None
    if call.params.boolean("drop_pending_updates"):
        call.bot.confirm(call.bot.next_update_id)
    if url:
        webhook.ensure(bot)
    else:
        await webhook.stop(bot)
    return True


@api_method("deleteWebhook")
async def delete_webhook(call: Call) -> bool:
    call.bot.webhook_url = ""
    call.bot.webhook_secret = ""
    await webhook.stop(call.bot)
    if call.params.boolean("drop_pending_updates"):
        call.bot.confirm(call.bot.next_update_id)
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(call: Call) -> JsonDict:
    bot = call.bot
    info: JsonDict = {
        "url": bot.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates),
    }
    if bot.webhook_url:
        info["max_connections"] = bot.webhook_max_connections
        if bot.allowed_updates:
            info["allowed_updates"] = list(bot.allowed_updates)
        if bot.webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = bot.webhook_last_error
    return info


def _commands_key(call: Call) -> tuple[str, str]:
    scope = call.params.obj("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), call.params.text("language_code") or ""


@api_method("setMyCommands")
async def set_my_commands(call: Call) -> bool:
    commands = call.params.obj("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_NAME_RE.match(
            str(command.get("command", ""))
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(command.get("description", ""))
        if not 1 <= len(description) <= 256:
            raise bad_request("command description is empty or too long")
    call.bot.commands[_commands_key(call)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@api_method("getMyCommands")
async def get_my_commands(call: Call) -> list[JsonDict]:
    return call.bot.commands.get(_commands_key(call), [])


@api_method("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(_commands_key(call), None)
    return True


# --- updates -----------------------------------------------------------------------------


@api_method("getUpdates")
async def get_updates(call: Call) -> list[JsonDict]:
    bot = call.bot
    if bot.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    limit = min(max(call.params.integer("limit") or 100, 1), 100)
    timeout = min(max(call.params.integer("timeout") or 0, 0), MAX_POLL_TIMEOUT)
    allowed = call.params.obj("allowed_updates")
    if isinstance(allowed, list):
        bot.allowed_updates = [str(kind) for kind in allowed] or None
    bot.confirm(call.params.integer("offset"))
    bot.poll_generation += 1
    generation = bot.poll_generation
    deadline = time.monotonic() + timeout
    while True:
        batch = bot.pending(limit)
        remaining = deadline - time.monotonic()
        if batch or remaining <= 0 or bot.closed:
            return batch
        try:
            await asyncio.wait_for(bot.update_event.wait(), remaining)
        except TimeoutError:
            return bot.pending(limit)
        if bot.poll_generation != generation:
            # A newer getUpdates took over: Telegram tells the older one it was superseded.
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )


# --- sending -----------------------------------------------------------------------------


@api_method("sendMessage")
async def send_message(call: Call) -> JsonDict:
    chat = _writable_chat(call)
    fields = _text_fields(call)
    return _send(call, chat, fields, markup=_markup(call))


@api_method("sendPhoto")
async def send_photo(call: Call) -> JsonDict:
    chat = _writable_chat(call)
    caption = _caption_fields(call.params.text("caption"), call.params.text("parse_mode"))
    markup = _markup(call)
    stored = _resolve_file(call, call.params.raw("photo"), "photo", "photo", "image/jpeg")
    return _send(call, chat, {"photo": call.bot.photo_array(stored), **caption}, markup=markup)


@api_method("sendDocument")
async def send_document(call: Call) -> JsonDict:
    chat = _writable_chat(call)
    caption = _caption_fields(call.params.text("caption"), call.params.text("parse_mode"))
    markup = _markup(call)
    stored = _resolve_file(
        call, call.params.raw("document"), "document", "document", "application/octet-stream"
    )
    return _send(call, chat, {"document": document_object(stored), **caption}, markup=markup)


@api_method("sendLocation")
async def send_location(call: Call) -> JsonDict:
    chat = _writable_chat(call)
    latitude = call.params.number("latitude")
    longitude = call.params.number("longitude")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong location specified")
    location = {"latitude": latitude, "longitude": longitude}
    return _send(call, chat, {"location": location}, markup=_markup(call))


@api_method("sendMediaGroup")
async def send_media_group(call: Call) -> list[JsonDict]:
    chat = _writable_chat(call)
    media = call.params.obj("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("media group must contain 2-10 items")
    prepared: list[JsonDict] = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in (
            "photo",
            "video",
            "document",
            "audio",
        ):
            raise bad_request("wrong media type in the media group")
        kind = str(item["type"])
        caption = _caption_fields(item.get("caption"), item.get("parse_mode"))
        mime = {"photo": "image/jpeg", "video": "video/mp4", "audio": "audio/mpeg"}.get(
            kind, "application/octet-stream"
        )
        stored = _resolve_file(call, item.get("media"), "media", kind, mime)
        prepared.append({**_media_object(call.bot, kind, stored), **caption})
    reply = _reply_fields(call, chat)
    # One album counts once against the flood limit; its items are sent as one request.
    call.bot.check_flood(chat.id)
    group_id = str(secrets.randbelow(10**18) + 10**17)
    result: list[JsonDict] = []
    for content in prepared:
        record = call.bot.add_message(
            chat,
            {**content, **reply, "media_group_id": group_id},
            from_bot=True,
            method=call.method,
        )
        result.append(dict(record.message))
    return result


@api_method("sendChatAction")
async def send_chat_action(call: Call) -> bool:
    _writable_chat(call)
    if call.params.text("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


# --- editing -----------------------------------------------------------------------------


def _editable(call: Call) -> tuple[ChatState, MessageRecord]:
    if call.params.raw("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    chat = _writable_chat(call)
    record = chat.messages.get(_message_id(call))
    if record is None or record.deleted:
        raise bad_request("message to edit not found")
    if not record.from_bot:
        raise bad_request("message can't be edited")
    return chat, record


def _apply_edit(
    call: Call,
    chat: ChatState,
    record: MessageRecord,
    changes: JsonDict,
    markup: tuple[JsonDict | None, JsonDict | None],
) -> JsonDict:
    message = record.message
    shown, sent = markup
    unchanged = all(message.get(key) == value for key, value in changes.items())
    if unchanged and message.get("reply_markup") == shown:
        raise bad_request(NOT_MODIFIED)
    call.bot.check_flood(chat.id)
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    if shown is None:
        message.pop("reply_markup", None)  # an edit without markup drops the inline keyboard
    else:
        message["reply_markup"] = shown
    message["edit_date"] = call.bot.now()
    record.edited += 1
    record.sent_markup = sent
    return dict(message)


@api_method("editMessageText")
async def edit_message_text(call: Call) -> JsonDict:
    chat, record = _editable(call)
    if "text" not in record.message:
        raise bad_request("there is no text in the message to edit")
    fields = _text_fields(call)
    changes = {"text": fields["text"], "entities": fields.get("entities")}
    return _apply_edit(call, chat, record, changes, _markup(call))


@api_method("editMessageCaption")
async def edit_message_caption(call: Call) -> JsonDict:
    chat, record = _editable(call)
    if "text" in record.message:
        raise bad_request("there is no caption in the message to edit")
    fields = _caption_fields(call.params.text("caption"), call.params.text("parse_mode"))
    changes = {"caption": fields.get("caption"), "caption_entities": fields.get("caption_entities")}
    return _apply_edit(call, chat, record, changes, _markup(call))


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> JsonDict:
    chat, record = _editable(call)
    return _apply_edit(call, chat, record, {}, _markup(call))


@api_method("deleteMessage")
async def delete_message(call: Call) -> bool:
    chat = call.bot.chat(_chat_id(call))
    record = chat.messages.get(_message_id(call))
    if record is None or record.deleted:
        raise bad_request("message to delete not found")
    record.deleted = True
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> bool:
    query_id = call.params.text("callback_query_id") or ""
    query = call.bot.callbacks.get(query_id)
    if query is None or query.answered:
        raise bad_request(QUERY_TOO_OLD)
    text = call.params.text("text") or ""
    if len(text) > CALLBACK_ANSWER_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    call.bot.callback_answers.append(
        {
            "callback_query_id": query_id,
            "chat_id": query.chat_id,
            "message_id": query.message_id,
            "data": query.data,
            "text": text,
            "show_alert": call.params.boolean("show_alert"),
            "url": call.params.text("url") or "",
            "cache_time": call.params.integer("cache_time") or 0,
        }
    )
    return True


# --- files and pins ----------------------------------------------------------------------


# --- chats -------------------------------------------------------------------------------
