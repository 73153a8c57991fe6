"""The aiogram 3 adapter: updates for the inbox, and Bot API calls for the outbox."""

from __future__ import annotations

import io
from typing import Any, cast

from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import BufferedInputFile, Update

from bot.channels.base import BatchHandler, UpdateHandler, Upload
from bot.channels.errors import (
    ChannelError,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    TransientError,
    error_from_response,
)
from bot.channels.polling import POLL_MARGIN, REQUEST_TIMEOUT, LongPolling
from bot.telegram_events import ALLOWED_UPDATES


class RawGetUpdates(TelegramMethod[list[dict[str, Any]]]):
    """getUpdates answered as the JSON Telegram sent, not as aiogram's models.

    One update aiogram cannot validate (a field from a newer or older Bot API) would otherwise
    fail the whole batch, and the polling loop would ask for the same batch for ever: nobody
    would be heard. The inbox stores the JSON; our own reading of it fails alone, if at all.
    """

    __returning__ = list[dict[str, Any]]
    __api_method__ = "getUpdates"

    offset: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


class RawCall(TelegramMethod[Any]):
    """A Bot API call sent with the outbox's parameters as they are and answered as the JSON
    Telegram sent (a subclass per method names it: :func:`raw_method`).

    The outbox's parameters are already Bot API JSON and it stores the answer as JSON, so
    aiogram's typed models would only be built to be dumped again: per call a request model
    (keyboards and all), a ``Message`` model of the answer and its dump back to JSON. The
    call still goes through ``Bot.__call__``, the session's middlewares, its form encoding,
    aiohttp and ``check_response`` (Telegram's errors become aiogram's exceptions as before).
    """

    __returning__ = Any
    __api_method__ = ""


_RAW_METHODS: dict[str, type[RawCall]] = {}

# pydantic keeps a parametrised generic model only while something refers to it, and aiogram's
# ``check_response`` builds ``Response[T]`` for every call: without these references a garbage
# collection drops ``Response[T]``, and the next call builds its validator again (about 7 ms of
# CPU for ``Response[Message]``; 289 times in a 50-citizen bench run before this was held).
_RESPONSE_TYPES = (Response[Any], Response[list[dict[str, Any]]])


def raw_method(method: str) -> type[RawCall]:
    """The :class:`RawCall` for ``method``; an unknown name is a :class:`PermanentError`."""
    cls = _RAW_METHODS.get(method)
    if cls is None:
        method_class(method)  # refuses a name the Bot API (as aiogram knows it) does not have
        name = f"Raw{method[:1].upper()}{method[1:]}"
        cls = cast(type[RawCall], type(name, (RawCall,), {"__api_method__": method}))
        _RAW_METHODS[method] = cls
    return cls


def update_json(update: Update) -> dict[str, Any]:
    """The update as Telegram sent it: only the fields it had, ``from`` not ``from_user``."""
    return update.model_dump(mode="json", exclude_unset=True, exclude_none=True, by_alias=True)


def method_class(method: str) -> type[TelegramMethod[Any]]:
    """``sendMessage`` → :class:`aiogram.methods.SendMessage`."""
    cls = getattr(methods, method[:1].upper() + method[1:], None)
    if not (isinstance(cls, type) and issubclass(cls, TelegramMethod)):
        raise PermanentError(f"unknown Bot API method {method!r}")
    return cls


def telegram_description(exc: TelegramAPIError) -> str:
    """Telegram's own description: aiogram wraps it in a sentence of its own for 429 and a
    migrated group, and the outbox must record the same words under either framework."""
    return exc.message.partition("\nOriginal description: ")[2] or exc.message


def channel_error(exc: Exception) -> ChannelError:
    """Map an aiogram exception to the channel-neutral error the outbox understands."""
    if isinstance(exc, TelegramRetryAfter):
        return RetryAfter(float(exc.retry_after), telegram_description(exc))
    if isinstance(exc, TelegramMigrateToChat):
        # The group became a supergroup with a new id; the outbox moves the chat and resends.
        return ChatMigrated(int(exc.migrate_to_chat_id), telegram_description(exc))
    if isinstance(exc, TelegramEntityTooLarge):
        return PermanentError(exc.message)
    if isinstance(exc, TelegramNetworkError | TelegramServerError | ClientDecodeError):
        return TransientError(str(exc))
    if isinstance(exc, TelegramUnauthorizedError):
        return error_from_response(401, exc.message)
    if isinstance(exc, TelegramBadRequest | TelegramNotFound):
        return error_from_response(400, exc.message)
    if isinstance(exc, TelegramForbiddenError):
        return error_from_response(403, exc.message)
    if isinstance(exc, TelegramAPIError):
        return PermanentError(exc.message)
    if isinstance(exc, TimeoutError | OSError):
        return TransientError(repr(exc))
    raise exc


def _aiogram_files(value: Any) -> Any:
    """``value`` with each :class:`Upload` as aiogram's input file, at any depth: aiogram's form
    encoding attaches input files wherever they stand (``attach://`` for the nested ones)."""
    if isinstance(value, Upload):
        return BufferedInputFile(value.content, filename=value.filename)
    if isinstance(value, dict):
        return {key: _aiogram_files(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_aiogram_files(item) for item in value]
    return value


class AiogramChannel:
    """A :class:`bot.channels.base.Channel` on aiogram 3.

    Updates come from the shared :class:`bot.channels.polling.LongPolling` loop; aiogram's
    ``Dispatcher`` is not used, because the bot never runs aiogram handlers and the loop, not
    the framework, decides when an update is confirmed.
    """

    name = "telegram"

    def __init__(self, token: str, *, api_url: str, polling_timeout: int = 25) -> None:
        api = TelegramAPIServer.from_base(api_url)
        self.bot = Bot(token, session=AiohttpSession(api=api, timeout=REQUEST_TIMEOUT))
        self._polling = LongPolling(self._fetch, self.call, timeout=polling_timeout)

    async def start_polling(
        self, on_update: UpdateHandler, on_batch: BatchHandler | None = None
    ) -> None:
        await self._polling.run(on_update, on_batch)

    async def stop(self) -> None:
        self._polling.stop()

    async def _fetch(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        request = RawGetUpdates(
            offset=offset, timeout=timeout, allowed_updates=list(ALLOWED_UPDATES)
        )
        try:
            updates = await self.bot(request, request_timeout=int(timeout + POLL_MARGIN))
        except Exception as exc:
            raise channel_error(exc) from exc
        return [dict(update) for update in updates if isinstance(update, dict)]

    async def close(self) -> None:
        await self.bot.session.close()

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        request = raw_method(method).model_validate(_aiogram_files(params))
        try:
            return await self.bot(request)
        except Exception as exc:
            raise channel_error(exc) from exc

    async def download(self, file_id: str) -> bytes:
        file = await self.call("getFile", {"file_id": file_id})
        path = file.get("file_path") if isinstance(file, dict) else None
        if not path:
            raise PermanentError("Telegram gave no file path (file too big?)")
        try:
            buffer = io.BytesIO()
            await self.bot.download_file(path, buffer)
        except Exception as exc:
            raise channel_error(exc) from exc
        return buffer.getvalue()

    async def me(self) -> dict[str, Any]:
        user = await self.call("getMe", {})
        if not isinstance(user, dict):
            raise PermanentError(f"getMe answered {user!r}")
        return user
