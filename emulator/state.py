"""Per-bot state of the emulator: chats, messages, files, the update queue, limits, faults.

Everything is plain in-memory data owned by one event loop, so no locking is needed; a bot's state
is keyed by its full token so two tokens never share anything.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.errors import CHAT_NOT_FOUND, bad_request
from emulator.flood import FloodLimiter
from emulator.media import image_size, photo_sizes

JsonDict = dict[str, Any]

# Update types Telegram delivers when allowed_updates is empty or was never set.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    mime_type: str
    file_name: str
    file_path: str

    def describe(self) -> JsonDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class MessageRecord:
    """One message in a chat; for bot messages the current state after edits."""

    message: JsonDict
    from_bot: bool
    seq: int
    method: str = ""
    edited: int = 0
    deleted: bool = False
    # The reply_markup as sent, which may be a reply keyboard Telegram does not echo back.
    sent_markup: JsonDict | None = None

    def public(self) -> JsonDict:
        """Control-API view: the Telegram Message plus emulator bookkeeping."""
        view = dict(self.message)
        view["edited"] = self.edited
        view["deleted"] = self.deleted
        view["sent_markup"] = self.sent_markup
        view["method"] = self.method
        return view


@dataclass
class ChatState:
    chat: JsonDict
    next_message_id: int = 1
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    blocked: bool = False
    left: bool = False
    pinned: list[int] = field(default_factory=list)
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    # Set when a group became a supergroup: sends to the old id answer 400 with the new id.
    migrated_to: int | None = None

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def is_private(self) -> bool:
        return bool(self.chat["type"] == "private")


@dataclass
class CallbackRecord:
    query_id: str
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


@dataclass
class FaultRule:
    """Answer the next ``remaining`` matching calls with ``status`` (after ``delay`` seconds)."""

    method: str  # lower-case method name, or "*" for every method except getUpdates
    status: int | None
    remaining: int
    retry_after: int = 5
    delay: float = 0.0

    def matches(self, method: str) -> bool:
        if self.method == "*":
            # The polling loop would otherwise swallow faults aimed at sends, making tests racy.
            return method != "getupdates"
        return self.method == method


#: The emulator's idea of "now" for message dates, in Unix seconds.
EpochClock = Callable[[], float]


class BotState:
    def __init__(
        self,
        token: str,
        *,
        username: str,
        flood_limits: bool,
        clock: EpochClock = time.time,
    ) -> None:
        self.token = token
        self.clock = clock
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = "Kanal Aduan"
        self.flood_enabled = flood_limits
        self.flood = FloodLimiter()
        self.faults: list[FaultRule] = []
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, JsonDict] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.callback_answers: list[JsonDict] = []
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_max_connections = 40
        self.webhook_last_error: tuple[int, str] | None = None
        # The task POSTing updates to ``webhook_url`` (emulator.webhook), while one is set.
        self.webhook_pusher: Any = None
        self.allowed_updates: list[str] | None = None
        self.updates: list[JsonDict] = []
        self.next_update_id = 1
        self.confirmed = 0
        self.poll_generation = 0
        self.closed = False
        self.method_counts: Counter[str] = Counter()
        self.error_counts: Counter[int] = Counter()
        self.too_many_requests = 0
        self._seq = itertools.count(1)
        self._file_seq = itertools.count(1)
        self._update_event = asyncio.Event()

    def now(self) -> int:
        """The date Telegram would stamp on a message now (the sandbox's clock may travel)."""
        return int(self.clock())

    # --- users and chats -------------------------------------------------------------------
    @property
    def me(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def remember_user(self, user: JsonDict) -> JsonDict:
        if "id" not in user or not user.get("first_name"):
            raise bad_request("user needs id and first_name")
        clean: JsonDict = {"id": int(user["id"]), "is_bot": False, "first_name": user["first_name"]}
        for key in ("last_name", "username", "language_code"):
            if user.get(key):
                clean[key] = user[key]
        self.users[clean["id"]] = clean
        return clean

    def ensure_chat(
        self, chat_id: int, chat_type: str, *, title: str = "", user: JsonDict | None = None
    ) -> ChatState:
        existing = self.chats.get(chat_id)
        if existing is not None:
            return existing
        if chat_type == "private":
            source = user or {}
            chat: JsonDict = {"id": chat_id, "type": "private"}
            for key in ("first_name", "last_name", "username"):
                if source.get(key):
                    chat[key] = source[key]
            chat.setdefault("first_name", "User")
        elif chat_type in ("group", "supergroup", "channel"):
            chat = {"id": chat_id, "type": chat_type, "title": title or f"Chat {chat_id}"}
        else:
            raise bad_request(f"unknown chat type {chat_type!r}")
        state = ChatState(chat=chat)
        self.chats[chat_id] = state
        return state

    def chat(self, chat_id: int) -> ChatState:
        state = self.chats.get(chat_id)
        if state is None:
            raise bad_request(CHAT_NOT_FOUND)
        return state

    # --- messages ----------------------------------------------------------------------------
    def add_message(
        self,
        chat: ChatState,
        content: JsonDict,
        *,
        from_bot: bool,
        sender: JsonDict | None = None,
        method: str = "",
        sent_markup: JsonDict | None = None,
    ) -> MessageRecord:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JsonDict = {
            "message_id": message_id,
            "from": self.me if from_bot else sender,
            "chat": dict(chat.chat),
            "date": self.now(),
            **content,
        }
        record = MessageRecord(
            message=message,
            from_bot=from_bot,
            seq=next(self._seq),
            method=method,
            sent_markup=sent_markup,
        )
        chat.messages[message_id] = record
        return record

    def bot_messages(self, chat_id: int | None = None, after_message_id: int = 0) -> list[JsonDict]:
        chats = self.chats.values() if chat_id is None else [self.chat(chat_id)]
        records = [
            record
            for chat in chats
            for message_id, record in chat.messages.items()
            if record.from_bot and message_id > after_message_id
        ]
        records.sort(key=lambda r: r.seq)
        return [record.public() for record in records]

    def history(self, chat_id: int, after_message_id: int = 0) -> list[JsonDict]:
        """Every message of one chat, the users' and the bot's, as a client shows them."""
        chat = self.chat(chat_id)
        records = [r for i, r in chat.messages.items() if i > after_message_id]
        records.sort(key=lambda r: r.seq)
        return [{**record.public(), "from_bot": record.from_bot} for record in records]

    # --- files -------------------------------------------------------------------------------
    def add_file(self, data: bytes, *, mime_type: str, file_name: str, kind: str) -> StoredFile:
        number = next(self._file_seq)
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        folder = {"photo": "photos", "document": "documents"}.get(kind, kind + "s")
        stored = StoredFile(
            # The prefix mimics Telegram's ids closely enough to read logs; the tail makes them
            # unguessable so tests cannot accidentally rely on a numbering scheme.
            file_id=f"AgAC{self.bot_id}x{number}x{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{number}{secrets.token_hex(3)}",
            data=data,
            mime_type=mime_type,
            file_name=file_name,
            file_path=f"{folder}/file_{number}.{extension}",
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def file(self, file_id: str) -> StoredFile:
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    def photo_array(self, stored: StoredFile) -> list[JsonDict]:
        """PhotoSize list, smallest first; the largest size is the given file itself."""
        width, height = image_size(stored.data)
        sizes = photo_sizes(width, height)
        result: list[JsonDict] = []
        for index, (w, h) in enumerate(sizes):
            if index == len(sizes) - 1:
                target = stored
            else:  # thumbnails share the bytes; only their ids differ, as in Telegram
                target = self.add_file(
                    stored.data, mime_type=stored.mime_type, file_name="thumb.jpg", kind="photo"
                )
            result.append(
                {
                    "file_id": target.file_id,
                    "file_unique_id": target.file_unique_id,
                    "file_size": len(target.data),
                    "width": w,
                    "height": h,
                }
            )
        return result

    # --- updates -----------------------------------------------------------------------------
    def push_update(self, kind: str, payload: JsonDict) -> JsonDict:
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.updates.append(update)
        self.wake_pollers()
        return update

    def redeliver(self, update: JsonDict) -> None:
        """Queue an issued update again (its confirmation was lost), in id order."""
        update_id = update["update_id"]
        kept = [u for u in self.updates if u["update_id"] != update_id]
        self.updates = sorted([*kept, update], key=lambda u: int(u["update_id"]))
        self.wake_pollers()

    def wake_pollers(self) -> None:
        # Swap the event so every waiter wakes once and later waiters start unset.
        event, self._update_event = self._update_event, asyncio.Event()
        event.set()

    @property
    def update_event(self) -> asyncio.Event:
        return self._update_event

    def confirm(self, offset: int | None) -> None:
        """Forget updates below ``offset`` (negative: keep only the last -offset ones)."""
        if offset is None or offset == 0:
            return
        before = len(self.updates)
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        else:
            self.updates = self.updates[offset:]
        self.confirmed += before - len(self.updates)

    def pending(self, limit: int) -> list[JsonDict]:
        allowed = set(self.allowed_updates or [])

        def wanted(update: JsonDict) -> bool:
            kind = next(key for key in update if key != "update_id")
            return kind in allowed if allowed else kind not in _OPT_IN_UPDATES

        return [u for u in self.updates if wanted(u)][:limit]

    # --- limits and faults ------------------------------------------------------------------
    def check_flood(self, chat_id: int) -> None:
        if self.flood_enabled:
            self.flood.check(chat_id)

    def take_fault(self, method: str) -> FaultRule | None:
        for rule in self.faults:
            if rule.remaining > 0 and rule.matches(method):
                rule.remaining -= 1
                return rule
        self.faults = [rule for rule in self.faults if rule.remaining > 0]
        return None

    def stats(self) -> JsonDict:
        return {
            "methods": dict(self.method_counts),
            "errors": {str(code): count for code, count in self.error_counts.items()},
            "too_many_requests": self.too_many_requests,
            "updates_pending": len(self.updates),
            "updates_confirmed": self.confirmed,
            "updates_total": self.next_update_id - 1,
            "bot_messages": sum(
                1 for chat in self.chats.values() for r in chat.messages.values() if r.from_bot
            ),
            "flood_limits": self.flood_enabled,
        }
