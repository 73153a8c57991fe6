"""Per-bot state of the emulator: chats, messages, files, the update queue, limits, faults.

Everything is plain in-memory data owned by one event loop, so no locking is needed; a bot's state
is keyed by its full token so two tokens never share anything.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.errors import CHAT_NOT_FOUND, bad_request, too_many_requests
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


class _Bucket:
    """Token bucket: ``capacity`` burst, refilled at ``rate`` tokens per second."""

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.stamp = now

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = max(self.stamp, now)

    def wait_time(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.tokens -= 1


class _Window:
    """Sliding window: at most ``capacity`` sends in any ``window`` seconds.

    A token bucket of the same rate lets ``capacity + rate * T`` through in ``T`` seconds (a full
    bucket, then its refill); Telegram counts sends per second overall and per minute in a
    group, so a window is the stricter, faithful model: a burst that used the second (or the
    minute) leaves nothing until its first send has left the window.
    """

    def __init__(self, capacity: float, window: float) -> None:
        self.capacity = max(1, math.floor(capacity + 1e-9))
        self.window = window
        self.sends: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self.sends and self.sends[0] <= now - self.window:
            self.sends.popleft()

    def wait_time(self, now: float) -> float:
        self._expire(now)
        if len(self.sends) < self.capacity:
            return 0.0
        return self.sends[len(self.sends) - self.capacity] + self.window - now

    def take(self, now: float) -> None:
        self.sends.append(now)


_Limit = _Bucket | _Window


class FloodLimiter:
    """Telegram's documented limits: ~30 msg/s per bot, 1/s per chat (burst 3), 20/min per group.

    The overall limit is a sliding window of one second (never more than ``global_per_second``
    sends in any second) and a group's a sliding window of one minute (never more than
    ``group_per_minute`` in any minute); a chat's own limit is a token bucket (1/s, a short burst
    tolerated). A ``group_burst`` below the minute's count adds a token bucket for the group too.
    The rates can be changed (``POST limits``) so tests can enforce the same shape of limits
    scaled up, and finish in a fraction of the time. ``clock`` (monotonic seconds) is for tests.
    """

    GLOBAL_PER_SECOND = 30.0
    CHAT_PER_SECOND = 1.0
    CHAT_BURST = 3.0
    GROUP_PER_MINUTE = 20.0

    def __init__(
        self,
        *,
        global_per_second: float | None = None,
        chat_per_second: float | None = None,
        chat_burst: float | None = None,
        group_per_minute: float | None = None,
        group_burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.global_per_second = global_per_second or self.GLOBAL_PER_SECOND
        self.chat_per_second = chat_per_second or self.CHAT_PER_SECOND
        self.chat_burst = chat_burst or self.CHAT_BURST
        self.group_per_minute = group_per_minute or self.GROUP_PER_MINUTE
        # Telegram counts groups per minute: a full minute's worth may come at once.
        self.group_burst = group_burst or self.group_per_minute
        self._clock = clock
        self._global = _Window(self.global_per_second, 1.0)
        self._chats: dict[int, _Bucket] = {}
        self._groups: dict[int, list[_Limit]] = {}

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> FloodLimiter:
        """From a ``POST limits`` body; missing or empty rates keep Telegram's."""

        def rate(key: str) -> float | None:
            value = body.get(key)
            if value is None or value == "":
                return None
            number = float(value)
            if not number > 0:
                raise bad_request(f"{key} must be positive")
            return number

        return cls(
            global_per_second=rate("global_per_second"),
            chat_per_second=rate("chat_per_second"),
            chat_burst=rate("chat_burst"),
            group_per_minute=rate("group_per_minute"),
            group_burst=rate("group_burst"),
        )

    def describe(self) -> JsonDict:
        return {
            "global_per_second": self.global_per_second,
            "chat_per_second": self.chat_per_second,
            "chat_burst": self.chat_burst,
            "group_per_minute": self.group_per_minute,
            "group_burst": self.group_burst,
        }

    def _group(self, chat_id: int, now: float) -> list[_Limit]:
        found = self._groups.get(chat_id)
        if found is None:
            found = [_Window(self.group_per_minute, 60.0)]
            if self.group_burst < self.group_per_minute:
                found.append(_Bucket(self.group_burst, self.group_per_minute / 60.0, now))
            self._groups[chat_id] = found
        return found

    def check(self, chat_id: int) -> None:
        """Count one send for ``chat_id`` or raise 429 with the wait Telegram would ask for."""
        now = self._clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Bucket(self.chat_burst, self.chat_per_second, now)
        limits: list[_Limit] = [self._global, chat]
        if chat_id < 0:
            limits.extend(self._group(chat_id, now))
        wait = max(limit.wait_time(now) for limit in limits)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for limit in limits:
            limit.take(now)


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
