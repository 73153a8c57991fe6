"""Channel-neutral output actions, stored as outbox rows and sent by the outbox worker.

Keyboards are described here and rendered to Bot API JSON once, in ``bot.telegram_render``.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class InlineButton:
    text: str
    data: str


@dataclass(frozen=True, slots=True)
class InlineKeyboard:
    rows: tuple[tuple[InlineButton, ...], ...]


@dataclass(frozen=True, slots=True)
class ReplyButton:
    text: str
    request_location: bool = False


@dataclass(frozen=True, slots=True)
class ReplyKeyboard:
    rows: tuple[tuple[ReplyButton, ...], ...]
    one_time: bool = False


@dataclass(frozen=True, slots=True)
class RemoveKeyboard:
    remove: Literal[True] = True


@dataclass(frozen=True, slots=True)
class ForceReply:
    """Opens the reply box on the message (officers answer a prompt by replying to it)."""

    placeholder: str = ""


Markup = InlineKeyboard | ReplyKeyboard | RemoveKeyboard | ForceReply


@dataclass(frozen=True, slots=True)
class SendText:
    """Send a text message.

    ``reply_to_purpose`` names a linked message of the outbox row's report in the same chat
    (``"card"``): the outbox worker replies to the newest such message, known only once sent.
    ``pin`` pins the message after sending (the officers' guide in a bound group).
    ``html``: the text is Telegram HTML (the report card, whose map is a link); its values must
    be escaped by whoever builds it.
    """

    chat_id: str
    text: str
    markup: Markup | None = None
    reply_to_message_id: int | None = None
    reply_to_purpose: str = ""
    pin: bool = False
    html: bool = False
    kind: Literal["send_text"] = field(default="send_text")


@dataclass(frozen=True, slots=True)
class MediaItem:
    """A photo, or an image sent as a file, or a voice note or video clip (``clip``: "voice",
    "video"; each goes alone, never in an album), by the channel's file id."""

    file_id: str
    as_document: bool = False
    clip: str = ""


@dataclass(frozen=True, slots=True)
class SendMedia:
    """Send photos: one item as a photo (or file), 2..10 items as an album.

    The items must all be photos or all be documents (Telegram does not mix them in an album);
    the caption goes on the first item.
    """

    chat_id: str
    items: tuple[MediaItem, ...]
    caption: str = ""
    reply_to_message_id: int | None = None
    reply_to_purpose: str = ""
    kind: Literal["send_media"] = field(default="send_media")


@dataclass(frozen=True, slots=True)
class SendFile:
    """Send a small file the bot wrote (a citizen's copy of their data, the monthly summary's
    PDF), uploaded as a document named ``filename``; the content travels in the outbox row, as
    text, or base64 when ``binary``."""

    chat_id: str
    filename: str
    content: str
    caption: str = ""
    binary: bool = False
    kind: Literal["send_file"] = field(default="send_file")


@dataclass(frozen=True, slots=True)
class EditText:
    chat_id: str
    message_id: int
    text: str
    markup: InlineKeyboard | None = None
    html: bool = False
    kind: Literal["edit_text"] = field(default="edit_text")


@dataclass(frozen=True, slots=True)
class ClearButtons:
    """Take the inline buttons off a message and keep its text (an answered question)."""

    chat_id: str
    message_id: int
    kind: Literal["clear_buttons"] = field(default="clear_buttons")


@dataclass(frozen=True, slots=True)
class AnswerButton:
    callback_id: str
    text: str = ""
    alert: bool = False
    kind: Literal["answer_button"] = field(default="answer_button")


Action = SendText | SendMedia | SendFile | EditText | ClearButtons | AnswerButton


#: Each action, markup and item class's field names, read once (``dataclasses.asdict`` looks
#: them up and deep-copies every value again for each button of a card's long keyboard).
_FIELDS: dict[type, tuple[str, ...]] = {}
_LEAVES = (str, int, bool, float, type(None))


def _plain(value: Any) -> Any:
    """What ``dataclasses.asdict`` makes of ``value`` (dicts for dataclasses, tuples kept), for
    the immutable leaves these actions hold, without copying them."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is tuple:
        return tuple(_plain(item) for item in value)
    names = _FIELDS.get(kind)
    if names is None:
        if not is_dataclass(value) or isinstance(value, type):
            return deepcopy(value)  # none of the actions holds one; as ``asdict`` would
        names = _FIELDS[kind] = tuple(f.name for f in fields(value))
    return {name: _plain(getattr(value, name)) for name in names}


def action_to_dict(action: Action) -> dict[str, Any]:
    """Serialise an action for the outbox (plain JSON types only)."""
    data: dict[str, Any] = _plain(action)  # the markup with it (a card's keyboard is long)
    markup = getattr(action, "markup", None)
    if markup is not None:
        data["markup"] = {"type": type(markup).__name__, **data["markup"]}
    return data


def _markup_from_dict(data: dict[str, Any] | None) -> Markup | None:
    if data is None:
        return None
    kind = data["type"]
    if kind == "InlineKeyboard":
        return InlineKeyboard(
            rows=tuple(tuple(InlineButton(**b) for b in row) for row in data["rows"])
        )
    if kind == "ReplyKeyboard":
        return ReplyKeyboard(
            rows=tuple(tuple(ReplyButton(**b) for b in row) for row in data["rows"]),
            one_time=bool(data.get("one_time", False)),
        )
    if kind == "ForceReply":
        return ForceReply(placeholder=str(data.get("placeholder", "")))
    return RemoveKeyboard()


def action_from_dict(data: dict[str, Any]) -> Action:
    """Inverse of :func:`action_to_dict`."""
    kind = data["kind"]
    if kind == "send_text":
        return SendText(
            chat_id=data["chat_id"],
            text=data["text"],
            markup=_markup_from_dict(data.get("markup")),
            reply_to_message_id=data.get("reply_to_message_id"),
            reply_to_purpose=str(data.get("reply_to_purpose", "")),
            pin=bool(data.get("pin", False)),
            html=bool(data.get("html", False)),
        )
    if kind == "send_media":
        return SendMedia(
            chat_id=data["chat_id"],
            items=tuple(MediaItem(**item) for item in data["items"]),
            caption=str(data.get("caption", "")),
            reply_to_message_id=data.get("reply_to_message_id"),
            reply_to_purpose=str(data.get("reply_to_purpose", "")),
        )
    if kind == "send_file":
        return SendFile(
            chat_id=data["chat_id"],
            filename=data["filename"],
            content=data["content"],
            caption=str(data.get("caption", "")),
            binary=bool(data.get("binary", False)),
        )
    if kind == "edit_text":
        markup = _markup_from_dict(data.get("markup"))
        return EditText(
            chat_id=data["chat_id"],
            message_id=data["message_id"],
            text=data["text"],
            markup=markup if isinstance(markup, InlineKeyboard) else None,
            html=bool(data.get("html", False)),
        )
    if kind == "clear_buttons":
        return ClearButtons(chat_id=data["chat_id"], message_id=data["message_id"])
    if kind == "answer_button":
        return AnswerButton(callback_id=data["callback_id"], text=data["text"], alert=data["alert"])
    raise ValueError(f"unknown action kind {kind!r}")
