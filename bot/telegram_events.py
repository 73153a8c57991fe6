"""Telegram update JSON → channel-neutral events.

Pure functions over the Bot API JSON exactly as received (what the inbox stores), so every framework
adapter shares one mapping and a stored update can be replayed after a restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.inputs import clean_text
from handlers.events import (
    BotMembership,
    ButtonPress,
    ChatKind,
    ChatMigrated,
    Event,
    Location,
    MediaKind,
    Message,
    Photo,
    Sender,
    Unsupported,
)

JSON = Mapping[str, Any]

#: Update kinds requested from Telegram; everything else is never delivered.
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")

_CHAT_KINDS = {
    "private": ChatKind.PRIVATE,
    "group": ChatKind.GROUP,
    "supergroup": ChatKind.GROUP,
    "channel": ChatKind.CHANNEL,
}

# Media that carries no evidence the bot can use; the message still reaches the conversation so
# that the citizen gets a polite answer.
_SIMPLE_MEDIA = (
    ("sticker", MediaKind.STICKER),
    ("audio", MediaKind.AUDIO),
    ("contact", MediaKind.CONTACT),
)
#: Voice notes and videos are evidence clips (``core.clips``), stored by these MIME types.
_CLIPS = (
    ("voice", MediaKind.VOICE, "audio/ogg"),
    ("video", MediaKind.VIDEO, "video/mp4"),
    ("video_note", MediaKind.VIDEO, "video/mp4"),
)
_OTHER_CONTENT = ("poll", "dice", "game", "story", "paid_media", "invoice")


def _chat_kind(chat: JSON) -> ChatKind:
    return _CHAT_KINDS.get(str(chat.get("type", "")), ChatKind.GROUP)


def _sender(user: JSON | None) -> Sender:
    if not user:
        return Sender(user_id="")
    return Sender(
        user_id=str(user.get("id", "")),
        first_name=clean_text(str(user.get("first_name", "")), multiline=False),
        last_name=clean_text(str(user.get("last_name", "")), multiline=False),
        username=clean_text(str(user.get("username", "")), multiline=False),
        language_code=str(user.get("language_code", "")),
    )


def _largest_photo(sizes: list[JSON], media_group_id: str) -> Photo:
    # Telegram sends one PhotoSize per resolution; the last is usually, but not always, the largest.
    best = max(sizes, key=lambda s: (s.get("width", 0) * s.get("height", 0), s.get("file_size", 0)))
    return Photo(
        file_id=str(best["file_id"]),
        file_unique_id=str(best["file_unique_id"]),
        media_group_id=media_group_id,
        file_size=int(best.get("file_size", 0)),
    )


def _document_photo(document: JSON, media_group_id: str) -> Photo:
    return Photo(
        file_id=str(document["file_id"]),
        file_unique_id=str(document["file_unique_id"]),
        media_group_id=media_group_id,
        mime_type=str(document.get("mime_type", "")),
        file_size=int(document.get("file_size", 0)),
        as_file=True,
    )


def _clip(message: JSON, media_group_id: str) -> tuple[MediaKind, tuple[Photo, ...]]:
    """A voice note or video the message carries, as an evidence clip."""
    for key, kind, mime_type in _CLIPS:
        clip = message.get(key)
        if isinstance(clip, Mapping) and "file_id" in clip:
            return kind, (
                Photo(
                    file_id=str(clip["file_id"]),
                    file_unique_id=str(clip.get("file_unique_id", clip["file_id"])),
                    media_group_id=media_group_id,
                    mime_type=mime_type,
                    file_size=int(clip.get("file_size", 0)),
                    duration=int(clip.get("duration", 0)),
                ),
            )
    return MediaKind.NONE, ()


def _media(message: JSON, media_group_id: str) -> tuple[MediaKind, tuple[Photo, ...]]:
    """What the message carries besides text, and the evidence photos among it (a voice note's
    or video's kind comes with no photos: see :func:`_clip`)."""
    if message.get("photo"):
        return MediaKind.PHOTO, (_largest_photo(message["photo"], media_group_id),)
    # A GIF arrives with both "animation" and "document"; the animation wins.
    if "animation" in message:
        return MediaKind.ANIMATION, ()
    document = message.get("document")
    if document:
        if str(document.get("mime_type", "")).startswith("image/"):
            return MediaKind.IMAGE_DOCUMENT, (_document_photo(document, media_group_id),)
        return MediaKind.DOCUMENT, ()
    for key, kind in _SIMPLE_MEDIA:
        if key in message:
            return kind, ()
    if any(key in message for key in _OTHER_CONTENT):
        return MediaKind.OTHER, ()
    return MediaKind.NONE, ()


def _location(message: JSON) -> Location | None:
    # A venue carries its location too; both count as the citizen's location.
    raw = message.get("location") or (message.get("venue") or {}).get("location")
    if not raw:
        return None
    return Location(latitude=float(raw["latitude"]), longitude=float(raw["longitude"]))


def _has_content(message: JSON, media: MediaKind, location: Location | None) -> bool:
    return bool(message.get("text") or message.get("caption")) or (
        media is not MediaKind.NONE or location is not None
    )


def message_event(message: JSON, channel: str) -> Message | ChatMigrated | Unsupported:
    """One Telegram Message as an event; service messages (joins, pins ...) are Unsupported,
    except the one saying a group became a supergroup (its chat id changes)."""
    chat = message["chat"]
    if "migrate_to_chat_id" in message:
        return ChatMigrated(
            channel=channel, chat_id=str(chat["id"]), new_chat_id=str(message["migrate_to_chat_id"])
        )
    media_group_id = str(message.get("media_group_id", ""))
    media, photos = _media(message, media_group_id)
    clip_kind, clips = _clip(message, media_group_id)
    if clips:
        media = clip_kind
    location = _location(message)
    if not _has_content(message, media, location):
        return Unsupported(channel=channel, chat_id=str(chat["id"]), kind="service_message")
    reply_to = message.get("reply_to_message") or {}
    return Message(
        channel=channel,
        chat_id=str(chat["id"]),
        chat_kind=_chat_kind(chat),
        message_id=int(message["message_id"]),
        sender=_sender(message.get("from")),
        # A caption is the text of a photo or document message. Free text enters here: control
        # characters go before anything stores it (a description keeps its lines).
        text=clean_text(str(message.get("text") or message.get("caption") or "")),
        media=media,
        photos=photos,
        clips=clips,
        location=location,
        reply_to_message_id=int(reply_to["message_id"]) if "message_id" in reply_to else None,
        reply_to_bot=bool((reply_to.get("from") or {}).get("is_bot")),
        media_group_id=media_group_id,
        chat_title=clean_text(str(chat.get("title", "")), multiline=False),
    )


def button_event(query: JSON, channel: str) -> ButtonPress | Unsupported:
    """A callback query; presses on inline-mode messages (no chat) are not the bot's buttons."""
    message = query.get("message")
    if not message:
        return Unsupported(channel=channel, chat_id="", kind="inline_callback_query")
    chat = message["chat"]
    return ButtonPress(
        channel=channel,
        chat_id=str(chat["id"]),
        chat_kind=_chat_kind(chat),
        callback_id=str(query["id"]),
        sender=_sender(query.get("from")),
        data=str(query.get("data", "")),
        message_id=int(message["message_id"]) if "message_id" in message else None,
    )


def membership_event(change: JSON, channel: str) -> BotMembership:
    """The bot's own membership in a chat changed (added, promoted, removed)."""
    chat = change["chat"]
    return BotMembership(
        channel=channel,
        chat_id=str(chat["id"]),
        status=str((change.get("new_chat_member") or {}).get("status", "")),
        title=str(chat.get("title", "")),
        sender=_sender(change.get("from")),
    )


def update_kind(update: JSON) -> str:
    """The update's payload field (``message``, ``callback_query`` ...), or ''."""
    return next((key for key in update if key != "update_id"), "")


def to_event(update: JSON, channel: str) -> Event:
    """Map one update to the event the conversations act on."""
    kind = update_kind(update)
    if kind == "message":
        return message_event(update["message"], channel)
    if kind == "callback_query":
        return button_event(update["callback_query"], channel)
    if kind == "my_chat_member":
        return membership_event(update["my_chat_member"], channel)
    chat_id, _ = update_key(update)
    return Unsupported(channel=channel, chat_id=chat_id, kind=kind)


def _chat_of(body: JSON) -> JSON:
    chat = body.get("chat") or (body.get("message") or {}).get("chat")
    if chat:
        return dict(chat)
    user = body.get("from") or body.get("user") or {}
    return {"id": user["id"]} if "id" in user else {}


def update_key(update: JSON) -> tuple[str, str]:
    """``(chat_id, media_group_id)``: the inbox keeps order per chat and merges albums by these."""
    body = update.get(update_kind(update))
    if not isinstance(body, Mapping):
        return "", ""
    chat = _chat_of(body)
    chat_id = str(chat["id"]) if "id" in chat else ""
    return chat_id, str(body.get("media_group_id", ""))


def update_chat_kind(update: JSON) -> ChatKind | None:
    """The chat type of an update, when it has one."""
    body = update.get(update_kind(update))
    if not isinstance(body, Mapping):
        return None
    chat = _chat_of(body)
    return _chat_kind(chat) if "type" in chat else None
