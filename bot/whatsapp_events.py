"""WhatsApp Cloud API webhook messages → channel-neutral events.

The webhook listener (``runtime.whatsapp_webhook``) stores each message of a webhook as one inbox
update ``{"update_id": N, "whatsapp": {"message": ..., "contact": ...}}``; ``N`` is a number made
from the message's ``wamid`` (:func:`message_number`), so a redelivered message is the same row.
Pure functions over that JSON, as ``bot.telegram_events`` is for Telegram's.

Buttons: a reply button's or list row's id is the screen button's signed data (as Telegram's
callback data), so a press is a :class:`ButtonPress`; an id beginning ``t:`` stands for a
keyboard button that types its text (Telegram's reply keyboard: the main menu), so it arrives as
the text the citizen would have typed.

A poster's WhatsApp QR code opens a chat with a prepared first message carrying the poster's
code ("… (kode p64_08_09_2001)"): a text with a poster code arrives as ``/start <code>``, as
Telegram's deep link does (handlers/posters.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from core.commands import START
from core.inputs import clean_text
from core.posters import code_in_text
from core.whatsapp import WHATSAPP_CHANNEL
from handlers.events import (
    ButtonPress,
    ChatKind,
    Event,
    Location,
    MediaKind,
    Message,
    Photo,
    Sender,
    Unsupported,
)

JSON = Mapping[str, Any]
CHANNEL = WHATSAPP_CHANNEL
#: A button id that types its text (a reply-keyboard button on Telegram).
TYPED_PREFIX = "t:"
#: A press's "callback id" on WhatsApp: the chat an alert answering it goes to.
ANSWER_PREFIX = "wa:"
_SIMPLE = {
    "sticker": MediaKind.STICKER,
    "contacts": MediaKind.CONTACT,
    "audio": MediaKind.AUDIO,
    "video": MediaKind.VIDEO,
    "reaction": MediaKind.OTHER,
}

#: WhatsApp's message types that are evidence clips when their MIME type is this.
_CLIPS = {"audio": (MediaKind.VOICE, "audio/ogg"), "video": (MediaKind.VIDEO, "video/mp4")}


def message_number(wamid: str) -> int:
    """A positive 62-bit number for a WhatsApp message id (the inbox and links keep numbers)."""
    return int.from_bytes(hashlib.sha256(wamid.encode()).digest()[:8], "big") >> 2


def update_key(update: JSON) -> tuple[str, str]:
    """The chat (the citizen's WhatsApp id) and album (none: WhatsApp has no albums)."""
    message = (update.get("whatsapp") or {}).get("message") or {}
    return str(message.get("from", "")), ""


def _sender(message: JSON, contact: JSON) -> Sender:
    profile = contact.get("profile") or {}
    return Sender(
        user_id=str(contact.get("user_id") or message.get("from", "")),
        first_name=clean_text(str(profile.get("name", "")), multiline=False),
    )


def _image(media: JSON, *, as_file: bool) -> Photo:
    return Photo(
        file_id=str(media["id"]),
        file_unique_id=str(media.get("sha256") or media["id"]),
        mime_type=str(media.get("mime_type", "image/jpeg")).split(";")[0],
        as_file=as_file,
    )


def _content(message: JSON) -> tuple[str, MediaKind, tuple[Photo, ...], Location | None]:
    kind = str(message.get("type", ""))
    if kind == "text":
        body = str((message.get("text") or {}).get("body", ""))
        return _poster_opening(body), MediaKind.NONE, (), None
    if kind == "image" and message.get("image"):
        image = message["image"]
        # Kept as a file is: WhatsApp's media id means nothing to Telegram, so the bytes are
        # fetched and a cleaned copy is what the unit's group gets (handlers/evidence.py).
        return str(image.get("caption", "")), MediaKind.PHOTO, (_image(image, as_file=True),), None
    if kind == "document" and message.get("document"):
        document = message["document"]
        caption = str(document.get("caption", ""))
        if str(document.get("mime_type", "")).startswith("image/"):
            return caption, MediaKind.IMAGE_DOCUMENT, (_image(document, as_file=True),), None
        return caption, MediaKind.DOCUMENT, (), None
    if kind == "location" and message.get("location"):
        raw = message["location"]
        where = Location(latitude=float(raw["latitude"]), longitude=float(raw["longitude"]))
        return "", MediaKind.NONE, (), where
    if kind == "button":  # a template's quick reply
        return str((message.get("button") or {}).get("text", "")), MediaKind.NONE, (), None
    return "", _SIMPLE.get(kind, MediaKind.OTHER), (), None


def _clip(message: JSON) -> tuple[MediaKind, tuple[Photo, ...]] | None:
    """A voice note (OGG audio) or an MP4 video as an evidence clip (``core.clips``), kept as a
    file is: its media id means nothing to Telegram, so the checked bytes are what the unit's
    group gets (handlers/clips.py). Other audio (a music file) stays a refused kind, as on
    Telegram. WhatsApp declares no length: the bytes are measured (``core.clips``)."""
    kind = str(message.get("type", ""))
    media = message.get(kind)
    if kind not in _CLIPS or not isinstance(media, Mapping) or "id" not in media:
        return None
    media_kind, mime = _CLIPS[kind]
    if str(media.get("mime_type", "")).split(";")[0].strip() != mime:
        return None
    clip = Photo(
        file_id=str(media["id"]),
        file_unique_id=str(media.get("sha256") or media["id"]),
        mime_type=mime,
        file_size=int(media.get("file_size") or 0),
        as_file=True,
    )
    return media_kind, (clip,)


def _poster_opening(text: str) -> str:
    """A text carrying a poster's code (a poster's prepared message) as ``/start <code>``."""
    code = code_in_text(text)
    return f"/{START[0]} {code}" if code else text


def to_event(update: JSON, channel: str = CHANNEL) -> Event:
    stored = update.get("whatsapp") or {}
    message: JSON = stored.get("message") or {}
    contact: JSON = stored.get("contact") or {}
    chat_id = str(message.get("from", ""))
    if not chat_id:
        return Unsupported(channel=channel, chat_id="", kind="whatsapp_without_sender")
    sender = _sender(message, contact)
    context = message.get("context") or {}
    replied = message_number(str(context["id"])) if context.get("id") else None
    interactive = message.get("interactive") or {}
    chosen = interactive.get("button_reply") or interactive.get("list_reply")
    if message.get("type") == "interactive" and chosen:
        data = str(chosen.get("id", ""))
        if not data.startswith(TYPED_PREFIX):
            return ButtonPress(
                channel=channel,
                chat_id=chat_id,
                chat_kind=ChatKind.PRIVATE,
                # WhatsApp answers no press: an alert the conversation gives goes as a message
                # to this chat (bot.whatsapp_render).
                callback_id=f"{ANSWER_PREFIX}{chat_id}",
                sender=sender,
                data=data,
                message_id=replied,
            )
        text, media, location = data[len(TYPED_PREFIX) :], MediaKind.NONE, None
        photos: tuple[Photo, ...] = ()
    else:
        text, media, photos, location = _content(message)
    clip = _clip(message)
    if clip is not None:
        media = clip[0]
        text = str((message.get("video") or {}).get("caption", ""))
    return Message(
        channel=channel,
        chat_id=chat_id,
        chat_kind=ChatKind.PRIVATE,
        message_id=message_number(str(message.get("id", ""))),
        sender=sender,
        text=clean_text(text),
        media=media,
        photos=photos,
        clips=clip[1] if clip is not None else (),
        location=location,
        reply_to_message_id=replied,
        reply_to_bot=replied is not None,
    )
