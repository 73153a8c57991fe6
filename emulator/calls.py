"""A Bot API call as the emulator's methods see it: the parameters (query string, form,
multipart or JSON; object parameters sent in forms are JSON strings, so :meth:`Params.obj`
accepts both), the call, Telegram's limits, and the table of methods that ``@api_method`` fills."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from emulator.errors import (
    CHAT_NOT_FOUND,
    ApiError,
    bad_request,
    forbidden,
)
from emulator.state import BotState, ChatState, JsonDict

TEXT_LIMIT = 4096


CAPTION_LIMIT = 1024


CALLBACK_DATA_LIMIT = 64


CALLBACK_ANSWER_LIMIT = 200


DOWNLOAD_LIMIT = 20 * 1024 * 1024


MAX_POLL_TIMEOUT = 50


_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")


# setWebhook's secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


_TRUE = frozenset({"true", "1", "yes", "on"})


PLACEHOLDER_LIMIT = 64


MIGRATED = "group chat was upgraded to a supergroup chat"


class ChatMigratedError(ApiError):
    """400 for a group that became a supergroup; Telegram names the new id in ``parameters``."""

    def __init__(self, migrate_to_chat_id: int) -> None:
        super().__init__(400, f"Bad Request: {MIGRATED}")
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        body = super().payload()
        body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


@dataclass
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str
    content_type: str


class Params:
    def __init__(self, values: JsonDict, uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str, *, required: str | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required is not None:
                raise bad_request(required)
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float:
        try:
            return float(self.values[name])
        except (KeyError, TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def boolean(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        return value is not None and str(value).strip().lower() in _TRUE

    def obj(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


@dataclass
class Call:
    bot: BotState
    params: Params
    method: str


Handler = Callable[[Call], Awaitable[Any]]


METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under Telegram's case-insensitive method name."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register


def _chat_id(call: Call) -> int:
    raw = call.params.raw("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    if isinstance(raw, str) and raw.startswith("@"):
        for chat in call.bot.chats.values():
            if chat.chat.get("username") == raw[1:]:
                return chat.id
        raise bad_request(CHAT_NOT_FOUND)
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise bad_request(CHAT_NOT_FOUND) from None


def _writable_chat(call: Call) -> ChatState:
    """The target chat of a send/edit, refusing blocked users and groups the bot left."""
    chat = call.bot.chat(_chat_id(call))
    if chat.migrated_to is not None:
        raise ChatMigratedError(chat.migrated_to)
    if chat.blocked:
        raise forbidden(
            "bot was blocked by the user"
            if chat.is_private
            else "bot was kicked from the group chat"
        )
    if chat.left:
        raise forbidden(f"bot is not a member of the {chat.chat['type']} chat")
    return chat


def _message_id(call: Call, *, missing: str = "message identifier is not specified") -> int:
    value = call.params.integer("message_id", required=missing)
    assert value is not None  # guaranteed by required=
    return value
