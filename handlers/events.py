"""Channel-neutral input events.

An adapter (aiogram, python-telegram-bot) never reaches the conversations directly: updates are
stored in the inbox as Telegram JSON, turned into one of these events by ``bot.telegram_events`` and
handed to ``handlers``. Nothing here knows which framework carried the update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    CHANNEL = "channel"


class MediaKind(StrEnum):
    """What a message carried besides text; used to answer wrong media politely."""

    NONE = "none"
    PHOTO = "photo"
    IMAGE_DOCUMENT = "image_document"
    DOCUMENT = "document"
    STICKER = "sticker"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    ANIMATION = "animation"
    CONTACT = "contact"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Sender:
    user_id: str
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    language_code: str = ""

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass(frozen=True, slots=True)
class Photo:
    """One evidence image, kept by the channel's file id."""

    file_id: str
    file_unique_id: str
    media_group_id: str = ""
    mime_type: str = "image/jpeg"
    file_size: int = 0
    #: Sent as a file (a document), not as a photo Telegram re-encoded: its name and bytes are
    #: the citizen's own, so it is never passed on as it came (see handlers/evidence.py).
    as_file: bool = False
    #: A voice note's or video's length in seconds, as Telegram declared it (0 for a photo).
    duration: int = 0


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Message:
    """A message from a user: text, a command, photos, a location or some other media."""

    channel: str
    chat_id: str
    chat_kind: ChatKind
    message_id: int
    sender: Sender
    text: str = ""
    media: MediaKind = MediaKind.NONE
    photos: tuple[Photo, ...] = ()
    #: A voice note or a video (``video_note`` too) as evidence: a :class:`Photo` whose MIME
    #: type is ``audio/ogg`` or ``video/mp4`` (``core.clips``); never among ``photos``.
    clips: tuple[Photo, ...] = ()
    location: Location | None = None
    reply_to_message_id: int | None = None
    # The replied-to message was written by a bot (this one, as a rule).
    reply_to_bot: bool = False
    media_group_id: str = ""
    chat_title: str = ""

    @property
    def command(self) -> str:
        """The command without slash and bot mention (``/status@bot X`` -> ``status``), or ''."""
        if not self.text.startswith("/"):
            return ""
        head = self.text.split(maxsplit=1)[0][1:]
        return head.split("@", 1)[0].lower()

    @property
    def command_args(self) -> str:
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if self.command and len(parts) > 1 else ""


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A press on an inline button (a Telegram callback query)."""

    channel: str
    chat_id: str
    chat_kind: ChatKind
    callback_id: str
    sender: Sender
    data: str
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Unsupported:
    """An update kind the bot does not act on (edited messages, member changes, ...)."""

    channel: str
    chat_id: str
    kind: str = field(default="")


@dataclass(frozen=True, slots=True)
class ChatMigrated:
    """A group became a supergroup: from now on it has ``new_chat_id``."""

    channel: str
    chat_id: str
    new_chat_id: str


@dataclass(frozen=True, slots=True)
class BotMembership:
    """The bot was added to, promoted in, or removed from a group (``status`` as Telegram says:
    member, administrator, left, kicked)."""

    channel: str
    chat_id: str
    status: str
    title: str = ""
    sender: Sender = field(default_factory=lambda: Sender(user_id=""))

    @property
    def present(self) -> bool:
        return self.status in ("member", "administrator", "creator", "restricted")


@dataclass(frozen=True, slots=True)
class ConsoleRequested:
    """An officer's action asked for in the console (``console_requests`` row ``request_id``),
    taken by the bot as a button press is (``handlers.console_requests``); ``chat_id`` is the
    report's id, the inbox's order key."""

    channel: str
    chat_id: str
    request_id: int


Event = Message | ButtonPress | ChatMigrated | BotMembership | Unsupported | ConsoleRequested
