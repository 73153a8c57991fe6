"""The Bot API methods the emulator implements, with Telegram's validation and error texts.

Each handler gets a :class:`Call` (the bot's state plus parsed parameters) and returns the
``result`` value or raises :class:`~emulator.errors.ApiError`. Parameters may come from a
query string, a form, multipart or JSON; object parameters sent in forms are JSON strings, so
:meth:`Params.obj` accepts both.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from emulator import webhook
from emulator.errors import (
    CHAT_NOT_FOUND,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    ApiError,
    bad_request,
    forbidden,
)
from emulator.formatting import render_text, utf16_len
from emulator.state import BotState, ChatState, JsonDict, MessageRecord, StoredFile

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
DOWNLOAD_LIMIT = 20 * 1024 * 1024
MAX_POLL_TIMEOUT = 50

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
# setWebhook's secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TRUE = frozenset({"true", "1", "yes", "on"})
PLACEHOLDER_LIMIT = 64
MIGRATED = "group chat was upgraded to a supergroup chat"


class ChatMigratedError(ApiError):
    """400 for a group that became a supergroup; Telegram names the new id in ``parameters``."""

    def __init__(self, migrate_to_chat_id: int) -> None:
        super().__init__(400, f"Bad Request: {MIGRATED}")
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        body = super().payload()
        body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


@dataclass
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str
    content_type: str


class Params:
    def __init__(self, values: JsonDict, uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str, *, required: str | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required is not None:
                raise bad_request(required)
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float:
        try:
            return float(self.values[name])
        except (KeyError, TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def boolean(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        return value is not None and str(value).strip().lower() in _TRUE

    def obj(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


@dataclass
class Call:
    bot: BotState
    params: Params
    method: str


Handler = Callable[[Call], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under Telegram's case-insensitive method name."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register


# --- shared helpers ------------------------------------------------------------------------


def _chat_id(call: Call) -> int:
    raw = call.params.raw("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    if isinstance(raw, str) and raw.startswith("@"):
        for chat in call.bot.chats.values():
            if chat.chat.get("username") == raw[1:]:
                return chat.id
        raise bad_request(CHAT_NOT_FOUND)
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise bad_request(CHAT_NOT_FOUND) from None


def _writable_chat(call: Call) -> ChatState:
    """The target chat of a send/edit, refusing blocked users and groups the bot left."""
    chat = call.bot.chat(_chat_id(call))
    if chat.migrated_to is not None:
        raise ChatMigratedError(chat.migrated_to)
    if chat.blocked:
        raise forbidden(
            "bot was blocked by the user"
            if chat.is_private
            else "bot was kicked from the group chat"
        )
    if chat.left:
        raise forbidden(f"bot is not a member of the {chat.chat['type']} chat")
    return chat


def _message_id(call: Call, *, missing: str = "message identifier is not specified") -> int:
    value = call.params.integer("message_id", required=missing)
    assert value is not None  # guaranteed by required=
    return value


def _render(source: str | None, parse_mode: str | None) -> tuple[str, list[JsonDict]]:
    return render_text(source or "", parse_mode)


def _text_fields(call: Call) -> JsonDict:
    plain, entities = _render(call.params.text("text"), call.params.text("parse_mode"))
    if not plain.strip():
        raise bad_request("message text is empty")
    if utf16_len(plain) > TEXT_LIMIT:
        raise bad_request("message is too long")
    fields: JsonDict = {"text": plain}
    if entities:
        fields["entities"] = entities
    return fields


def _caption_fields(caption: str | None, parse_mode: str | None) -> JsonDict:
    if not caption:
        return {}
    plain, entities = _render(caption, parse_mode)
    if utf16_len(plain) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    fields: JsonDict = {"caption": plain}
    if entities:
        fields["caption_entities"] = entities
    return fields


def _validate_inline_keyboard(markup: JsonDict) -> None:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            if not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            actions = [key for key in button if key != "text"]
            if not actions:
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(str(data).encode())
                if not isinstance(data, str) or size == 0 or size > CALLBACK_DATA_LIMIT:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
                raise bad_request("BUTTON_URL_INVALID")


def _markup(call: Call) -> tuple[JsonDict | None, JsonDict | None]:
    """(markup echoed in the Message, markup as sent). Only inline keyboards are echoed."""
    markup = call.params.obj("reply_markup")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup)
        if not any(markup["inline_keyboard"]):
            return None, markup  # an empty inline keyboard removes it, as in Telegram
        return markup, markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not rows:
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else button.get("text")
                if not text:
                    raise bad_request("keyboard button text is empty")
        return None, markup
    if markup.get("force_reply"):
        placeholder = markup.get("input_field_placeholder")
        if placeholder is not None and not 1 <= len(str(placeholder)) <= PLACEHOLDER_LIMIT:
            raise bad_request("can't parse reply keyboard markup JSON object")
        return None, markup
    if markup.get("remove_keyboard"):
        return None, markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _strip_reply(message: JsonDict) -> JsonDict:
    # Telegram never nests reply_to_message more than one level.
    return {key: value for key, value in message.items() if key != "reply_to_message"}


def _reply_fields(call: Call, chat: ChatState) -> JsonDict:
    params = call.params.obj("reply_parameters")
    reply_id: int | None
    allow_missing = call.params.boolean("allow_sending_without_reply")
    if isinstance(params, dict):
        reply_id = int(params["message_id"]) if params.get("message_id") is not None else None
        allow_missing = allow_missing or bool(params.get("allow_sending_without_reply"))
    else:
        reply_id = call.params.integer("reply_to_message_id")
    if not reply_id:
        return {}
    record = chat.messages.get(reply_id)
    if record is None or record.deleted:
        if allow_missing:
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": _strip_reply(record.message)}


def _store_upload(bot: BotState, upload: Upload, kind: str, default_mime: str) -> StoredFile:
    mime_type = upload.content_type
    if not mime_type or mime_type == "application/octet-stream":
        # Frameworks send parts as octet-stream; Telegram infers the type from the name.
        mime_type = mimetypes.guess_type(upload.filename)[0] or default_mime
    return bot.add_file(
        upload.data,
        mime_type=mime_type,
        file_name=upload.filename or f"{kind}.bin",
        kind=kind,
    )


def _resolve_file(call: Call, value: Any, name: str, kind: str, default_mime: str) -> StoredFile:
    """A file given as upload (field or attach://), existing file_id, or URL."""
    upload = call.params.uploads.get(name)
    if upload is not None and (value is None or value == ""):
        return _store_upload(call.bot, upload, kind, default_mime)
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {kind} in the request")
    if value.startswith("attach://"):
        attached = call.params.uploads.get(value.removeprefix("attach://"))
        if attached is None:
            raise bad_request(f"file must be uploaded as a multipart field {value!r}")
        return _store_upload(call.bot, attached, kind, default_mime)
    if value.startswith(("http://", "https://")):
        # Loopback only: never fetch; pretend the URL's text is the file content.
        return call.bot.add_file(
            value.encode(), mime_type=default_mime, file_name=value.rsplit("/", 1)[-1], kind=kind
        )
    return call.bot.file(value)


def document_object(stored: StoredFile) -> JsonDict:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.file_name,
        "mime_type": stored.mime_type,
        "file_size": len(stored.data),
    }


def _media_object(bot: BotState, kind: str, stored: StoredFile) -> JsonDict:
    if kind == "photo":
        return {"photo": bot.photo_array(stored)}
    base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if kind == "video":
        return {
            "video": {
                **base,
                "width": 640,
                "height": 480,
                "duration": 5,
                "mime_type": stored.mime_type,
                "file_size": len(stored.data),
            }
        }
    if kind == "audio":
        return {"audio": {**base, "duration": 5, "file_size": len(stored.data)}}
    return {"document": document_object(stored)}


def _send(
    call: Call,
    chat: ChatState,
    content: JsonDict,
    *,
    markup: tuple[JsonDict | None, JsonDict | None] = (None, None),
) -> JsonDict:
    """Common tail of every send: reply, flood limit, store, return the Message."""
    content = {**content, **_reply_fields(call, chat)}
    shown, sent = markup
    if shown is not None:
        content["reply_markup"] = shown
    call.bot.check_flood(chat.id)
    record = call.bot.add_message(
        chat, content, from_bot=True, method=call.method, sent_markup=sent
    )
    return dict(record.message)


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


# --- chats -------------------------------------------------------------------------------


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
