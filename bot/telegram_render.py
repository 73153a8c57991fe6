"""Channel-neutral actions → Bot API method name and JSON parameters (shared by every adapter)."""

from __future__ import annotations

import base64
from typing import Any

from bot.channels.base import Upload
from handlers.actions import (
    Action,
    AnswerButton,
    ClearButtons,
    EditText,
    ForceReply,
    InlineKeyboard,
    Markup,
    MediaItem,
    ReplyKeyboard,
    SendFile,
    SendMedia,
    SendText,
)

Params = dict[str, Any]


def chat_id_param(chat_id: str) -> int | str:
    """Numeric chat ids as numbers; ``@channelname`` stays a string."""
    try:
        return int(chat_id)
    except ValueError:
        return chat_id


def _inline_keyboard(markup: InlineKeyboard) -> Params:
    return {
        "inline_keyboard": [
            [{"text": b.text, "callback_data": b.data} for b in row] for row in markup.rows
        ]
    }


def _reply_button(text: str, request_location: bool) -> Params:
    return {"text": text, "request_location": True} if request_location else {"text": text}


def _reply_keyboard(markup: ReplyKeyboard) -> Params:
    return {
        "keyboard": [
            [_reply_button(b.text, b.request_location) for b in row] for row in markup.rows
        ],
        # Without resize Telegram draws a half-screen keyboard for two buttons.
        "resize_keyboard": True,
        "one_time_keyboard": markup.one_time,
    }


def render_markup(markup: Markup) -> Params:
    if isinstance(markup, InlineKeyboard):
        return _inline_keyboard(markup)
    if isinstance(markup, ReplyKeyboard):
        return _reply_keyboard(markup)
    if isinstance(markup, ForceReply):
        # selective: in a group only the officer the prompt replies to gets the reply box.
        params: Params = {"force_reply": True, "selective": True}
        if markup.placeholder:
            params["input_field_placeholder"] = markup.placeholder[:64]
        return params
    return {"remove_keyboard": True}


def _send_text(action: SendText) -> Params:
    params: Params = {"chat_id": chat_id_param(action.chat_id), "text": action.text}
    if action.html:
        params["parse_mode"] = "HTML"
    if action.markup is not None:
        params["reply_markup"] = render_markup(action.markup)
    params.update(_reply_parameters(action.reply_to_message_id))
    return params


def _reply_parameters(message_id: int | None) -> Params:
    if message_id is None:
        return {}
    # The message may have been deleted meanwhile; send anyway instead of a 400.
    return {"reply_parameters": {"message_id": message_id, "allow_sending_without_reply": True}}


def _media_kind(item: MediaItem) -> str:
    if item.clip:
        return item.clip  # "voice" or "video"
    return "document" if item.as_document else "photo"


_SINGLE_METHODS = {
    "photo": "sendPhoto",
    "document": "sendDocument",
    "voice": "sendVoice",
    "video": "sendVideo",
}


def _send_media(action: SendMedia) -> tuple[str, Params]:
    params: Params = {"chat_id": chat_id_param(action.chat_id)}
    params.update(_reply_parameters(action.reply_to_message_id))
    caption = action.caption[:1024]
    if len(action.items) == 1:
        kind = _media_kind(action.items[0])
        params[kind] = action.items[0].file_id
        if caption:
            params["caption"] = caption
        return _SINGLE_METHODS[kind], params
    media: list[Params] = []
    for index, item in enumerate(action.items[:10]):
        entry: Params = {"type": _media_kind(item), "media": item.file_id}
        if index == 0 and caption:
            entry["caption"] = caption
        media.append(entry)
    params["media"] = media
    return "sendMediaGroup", params


def file_bytes(action: SendFile) -> bytes:
    """The file's bytes: a binary file travels base64 in the outbox row, a text one as text."""
    if action.binary:
        return base64.b64decode(action.content)
    return action.content.encode("utf-8")


def _send_file(action: SendFile) -> Params:
    params: Params = {
        "chat_id": chat_id_param(action.chat_id),
        "document": Upload(action.filename, file_bytes(action)),
    }
    if action.caption:
        params["caption"] = action.caption[:1024]
    return params


def _edit_text(action: EditText) -> Params:
    params: Params = {
        "chat_id": chat_id_param(action.chat_id),
        "message_id": action.message_id,
        "text": action.text,
    }
    if action.html:
        params["parse_mode"] = "HTML"
    # An edit without reply_markup removes the message's buttons, which is what None means.
    if action.markup is not None:
        params["reply_markup"] = _inline_keyboard(action.markup)
    return params


def _answer_button(action: AnswerButton) -> Params:
    params: Params = {"callback_query_id": action.callback_id}
    if action.text:
        params["text"] = action.text
    if action.alert:
        params["show_alert"] = True
    return params


def render(action: Action) -> tuple[str, Params]:
    """The Bot API call that performs ``action``."""
    if isinstance(action, SendText):
        return "sendMessage", _send_text(action)
    if isinstance(action, SendMedia):
        return _send_media(action)
    if isinstance(action, SendFile):
        return "sendDocument", _send_file(action)
    if isinstance(action, EditText):
        return "editMessageText", _edit_text(action)
    if isinstance(action, ClearButtons):
        # Without reply_markup, Telegram removes the message's inline keyboard.
        params: Params = {
            "chat_id": chat_id_param(action.chat_id),
            "message_id": action.message_id,
        }
        return "editMessageReplyMarkup", params
    return "answerCallbackQuery", _answer_button(action)
