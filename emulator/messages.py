"""The messages the emulator's send and edit methods build: text and captions with their
entities, inline keyboards and reply markup checked as Telegram checks them, uploaded or
referenced files, and the stored message."""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from emulator.calls import (
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    PLACEHOLDER_LIMIT,
    TEXT_LIMIT,
    Call,
    Upload,
)
from emulator.errors import (
    bad_request,
)
from emulator.formatting import render_text, utf16_len
from emulator.state import BotState, ChatState, JsonDict, StoredFile


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
