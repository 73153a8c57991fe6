"""Exact reply timestamps, taken inside the in-process emulator.

A citizen registers what it waits for (a predicate on its chat) *before* it injects an update.
An aiohttp middleware on the emulator re-checks the waiting predicates of the affected chat right
after every Bot API call of the bot has changed the emulator's state, so the recorded time is the
moment the reply became visible to the user, not the moment a polling client noticed it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Handler

from emulator import Emulator
from emulator.state import BotState, ChatState, JsonDict, MessageRecord

#: Returns a short description of the matching reply once the chat shows it, else None.
Predicate = Callable[[ChatState], str | None]

#: How far back from the newest entry of a chat a reply can be (user messages included).
_SCAN_DEPTH = 16
#: Bot API calls that never change what a user sees.
_QUIET_METHODS = frozenset({"getupdates", "getme", "getfile", "setmycommands", "deletewebhook"})


@dataclass
class _Waiter:
    predicate: Predicate
    future: asyncio.Future[tuple[float, str]]


@dataclass
class ReplyWatcher:
    """Waiting predicates of one bot (one token), keyed by chat."""

    state: BotState
    answered: Counter[int] = field(default_factory=Counter)
    _waiters: dict[int, list[_Waiter]] = field(default_factory=dict)
    _answers_seen: int = 0

    def expect(self, chat_id: int, predicate: Predicate) -> asyncio.Future[tuple[float, str]]:
        """A future resolved with ``(perf_counter time, description)`` when the reply shows."""
        future: asyncio.Future[tuple[float, str]] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(chat_id, []).append(_Waiter(predicate, future))
        return future

    def discard(self, chat_id: int, future: asyncio.Future[tuple[float, str]]) -> None:
        waiters = self._waiters.get(chat_id, [])
        self._waiters[chat_id] = [w for w in waiters if w.future is not future]

    def on_api_call(self, method: str, response: web.StreamResponse) -> None:
        if method in _QUIET_METHODS:
            return
        chats = self._new_answer_chats() | _chats_in_response(response)
        if not chats and method != "answercallbackquery":
            chats = set(self._waiters)  # unknown target: check everyone
        now = time.perf_counter()
        for chat_id in chats:
            self._check(chat_id, now)

    def _new_answer_chats(self) -> set[int]:
        answers = self.state.callback_answers
        chats: set[int] = set()
        while self._answers_seen < len(answers):
            chat_id = int(answers[self._answers_seen]["chat_id"])
            self.answered[chat_id] += 1
            chats.add(chat_id)
            self._answers_seen += 1
        return chats

    def _check(self, chat_id: int, now: float) -> None:
        waiters = self._waiters.get(chat_id)
        chat = self.state.chats.get(chat_id)
        if not waiters or chat is None:
            return
        keep: list[_Waiter] = []
        for waiter in waiters:
            if waiter.future.done():
                continue
            matched = waiter.predicate(chat)
            if matched is None:
                keep.append(waiter)
            else:
                waiter.future.set_result((now, matched))
        self._waiters[chat_id] = keep


def _chats_in_response(response: web.StreamResponse) -> set[int]:
    """Chat ids in a Bot API answer (a Message or a list of them); empty for ``true``."""
    body = response.body if isinstance(response, web.Response) else None
    if not isinstance(body, bytes):
        return set()
    try:
        result = json.loads(body).get("result")
    except (ValueError, AttributeError):
        return set()
    items = result if isinstance(result, list) else [result]
    return {
        int(item["chat"]["id"])
        for item in items
        if isinstance(item, dict) and isinstance(item.get("chat"), dict)
    }


def install(emulator: Emulator) -> dict[str, ReplyWatcher]:
    """Add the watching middleware (before ``start()``); returns the token → watcher registry."""
    watchers: dict[str, ReplyWatcher] = {}

    @web.middleware
    async def watch(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if request.path.startswith("/bot"):
            watcher = watchers.get(request.match_info.get("token", ""))
            if watcher is not None:
                watcher.on_api_call(request.match_info.get("method", "").lower(), response)
        return response

    emulator.app.middlewares.append(watch)
    return watchers


# --- predicates and helpers ---------------------------------------------------------------


def _recent(chat: ChatState) -> Iterable[MessageRecord]:
    return itertools.islice(reversed(chat.messages.values()), _SCAN_DEPTH)


def text_of(message: JsonDict) -> str:
    return str(message.get("text") or message.get("caption") or "")


def button_labels(message: JsonDict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [str(button.get("text", "")) for row in rows for button in row]


@dataclass(frozen=True)
class ChatSnapshot:
    """What the bot had shown in a chat before a step: newest message id and edit counts."""

    last_id: int
    edits: dict[int, int]

    @classmethod
    def of(cls, state: BotState, chat_id: int) -> ChatSnapshot:
        chat = state.chats.get(chat_id)
        if chat is None:
            return cls(0, {})
        edits = {r.message["message_id"]: r.edited for r in _recent(chat) if r.from_bot}
        return cls(chat.next_message_id - 1, edits)

    def is_fresh(self, record: MessageRecord) -> bool:
        message_id = int(record.message["message_id"])
        return message_id > self.last_id or record.edited > self.edits.get(message_id, 0)


def shows(snapshot: ChatSnapshot, token: str) -> Predicate:
    """A bot message sent or edited after ``snapshot`` whose text or buttons contain ``token``."""

    def predicate(chat: ChatState) -> str | None:
        for record in _recent(chat):
            if not record.from_bot or record.deleted or not snapshot.is_fresh(record):
                continue
            text = text_of(record.message)
            if token in text or any(token in label for label in button_labels(record.message)):
                return text
        return None

    return predicate


def new_messages(snapshot: ChatSnapshot, count: int) -> Predicate:
    """At least ``count`` bot messages sent after ``snapshot``."""

    def predicate(chat: ChatState) -> str | None:
        fresh = [
            r
            for r in _recent(chat)
            if r.from_bot and int(r.message["message_id"]) > snapshot.last_id
        ]
        return text_of(fresh[0].message) if len(fresh) >= count else None

    return predicate


def callback_answered(watcher: ReplyWatcher, chat_id: int) -> Predicate:
    """One more callback query of this chat answered than when the predicate was made."""
    before = watcher.answered[chat_id]

    def predicate(_chat: ChatState) -> str | None:
        return "callback answered" if watcher.answered[chat_id] > before else None

    return predicate


def find_button(state: BotState, chat_id: int, label: str) -> tuple[int, str]:
    """(message_id, callback_data) of the newest live button with ``label`` (exact, then part)."""
    chat = state.chats.get(chat_id)
    records = [r for r in _recent(chat) if r.from_bot and not r.deleted] if chat else []
    for exact in (True, False):
        for record in records:
            rows = (record.message.get("reply_markup") or {}).get("inline_keyboard") or []
            for button in (b for row in rows for b in row):
                text = str(button.get("text", ""))
                if "callback_data" in button and (text == label if exact else label in text):
                    return int(record.message["message_id"]), str(button["callback_data"])
    shown = [button_labels(r.message) for r in records]
    raise LookupError(f"no button {label!r} in chat {chat_id}; recent buttons: {shown!r}")
