"""Channel-neutral actions → what goes to a WhatsApp chat (one screen description, two renderers).

WhatsApp has reply buttons (at most 3, titles at most 20 characters), list messages (at most 10
rows, titles at most 24 characters), a location request, no edits and no button answers. So:

* a keyboard of at most 3 buttons that all fit is reply buttons; any other is a list (the first
  10 rows; the screen's text asks for a typed name where there are more);
* a keyboard button that types its text (the main menu) gets the id ``t:<text>``
  (``bot.whatsapp_events.TYPED_PREFIX``), a screen button its signed data;
* a keyboard asking for the location becomes WhatsApp's location request;
* an edit is sent anew; taking buttons off sends nothing, and so does answering a press unless
  the answer is an alert (a stale button), which is sent as a message.

The result is a list of plain dicts (``op``: text, buttons, list, location_request, image, audio,
video), executed by :class:`bot.channels.whatsapp_channel.WhatsAppChannel` through pywa.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.whatsapp_events import ANSWER_PREFIX, TYPED_PREFIX
from handlers.actions import (
    Action,
    AnswerButton,
    EditText,
    InlineKeyboard,
    Markup,
    ReplyKeyboard,
    SendMedia,
    SendText,
)

MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_INTERACTIVE_BODY = 1024
MAX_TEXT = 4096

Op = dict[str, Any]
_TAG = re.compile(r"<[^>]+>")

#: A clip's WhatsApp message type (a voice note is WhatsApp's audio; a video its video).
_CLIP_OPS = {"voice": "audio", "video": "video"}


def _plain(text: str, is_html: bool) -> str:
    return html.unescape(_TAG.sub("", text)) if is_html else text


def _choices(markup: Markup | None) -> tuple[list[tuple[str, str]], bool]:
    """The (title, id) of every button, and whether the keyboard asks for the location."""
    if isinstance(markup, InlineKeyboard):
        return [(b.text, b.data) for row in markup.rows for b in row], False
    if isinstance(markup, ReplyKeyboard):
        wants_location = any(b.request_location for row in markup.rows for b in row)
        typed = [
            (b.text, f"{TYPED_PREFIX}{b.text}")
            for row in markup.rows
            for b in row
            if not b.request_location
        ]
        return typed, wants_location
    return [], False


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _interactive(
    chat_id: str, text: str, choices: list[tuple[str, str]], list_button: str, more: str
) -> Op:
    if len(choices) > MAX_ROWS and more:
        # No paging without a second copy of the screen: the screens with this many choices
        # (kecamatan, desa) take a typed name, and the screen says so.
        text = f"{text}\n\n{more}" if len(text) + len(more) + 2 <= MAX_INTERACTIVE_BODY else text
    if len(choices) <= MAX_BUTTONS and all(len(t) <= MAX_BUTTON_TITLE for t, _ in choices):
        return {"op": "buttons", "to": chat_id, "text": text, "buttons": choices}
    rows = [
        {
            "title": _shorten(title, MAX_ROW_TITLE),
            "id": data,
            "description": _shorten(title, MAX_ROW_DESCRIPTION)
            if len(title) > MAX_ROW_TITLE
            else "",
        }
        for title, data in choices[:MAX_ROWS]
    ]
    return {"op": "list", "to": chat_id, "text": text, "button": list_button, "rows": rows}


def _text_ops(
    chat_id: str, text: str, markup: Markup | None, list_button: str, more: str
) -> list[Op]:
    choices, wants_location = _choices(markup)
    ops: list[Op] = []
    if not choices and not wants_location:
        return [{"op": "text", "to": chat_id, "text": _shorten(text, MAX_TEXT)}]
    body = text
    if len(text) > MAX_INTERACTIVE_BODY:
        # The screen's words in full first, its buttons under a short line of their own.
        ops.append({"op": "text", "to": chat_id, "text": _shorten(text, MAX_TEXT)})
        body = "⬇️"
    if wants_location:
        ops.append({"op": "location_request", "to": chat_id, "text": body})
        body = "⬇️"
    if choices:
        ops.append(_interactive(chat_id, body, choices, list_button, more))
    return ops


def render_whatsapp(action: Action, *, list_button: str, more: str = "") -> list[Op]:
    """The WhatsApp calls for one action (an empty list: nothing to send); ``more`` is the
    line added under a list cut at 10 rows (type the name instead)."""
    if isinstance(action, SendText):
        text = _plain(action.text, action.html)
        return _text_ops(action.chat_id, text, action.markup, list_button, more)
    if isinstance(action, EditText):
        text = _plain(action.text, action.html)
        return _text_ops(action.chat_id, text, action.markup, list_button, more)
    if isinstance(action, SendMedia):
        ops: list[Op] = []
        for position, item in enumerate(action.items):
            caption = action.caption if position == 0 else ""
            kind = _CLIP_OPS.get(item.clip, "image")
            if kind == "audio":  # WhatsApp's audio has no caption: the words follow it
                ops.append({"op": kind, "to": action.chat_id, "ref": item.file_id})
                if caption:
                    ops.append({"op": "text", "to": action.chat_id, "text": caption})
                continue
            ops.append({"op": kind, "to": action.chat_id, "ref": item.file_id, "caption": caption})
        return ops
    # No alert boxes on WhatsApp: a refused press (a stale or foreign button) is told in the
    # chat; a quiet answer (a spinner stopped) sends nothing.
    if (
        isinstance(action, AnswerButton)
        and action.alert
        and action.text
        and action.callback_id.startswith(ANSWER_PREFIX)
    ):
        to = action.callback_id.removeprefix(ANSWER_PREFIX)
        return [{"op": "text", "to": to, "text": action.text}]
    return []
