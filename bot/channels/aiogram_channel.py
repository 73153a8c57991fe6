"""The aiogram 3 adapter: long polling into the inbox, and Bot API calls for the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher, methods
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
from aiogram.methods.base import TelegramMethod
from aiogram.types import TelegramObject, Update
from pydantic import BaseModel

from bot.channels.base import UpdateHandler
from bot.channels.errors import (
    ChannelError,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    TransientError,
    error_from_response,
)
from bot.telegram_events import ALLOWED_UPDATES

log = logging.getLogger(__name__)

Middleware = Callable[
    [Callable[..., Awaitable[Any]], TelegramObject, dict[str, Any]], Awaitable[Any]
]


def to_json(value: Any) -> Any:
    """An aiogram result as Bot API JSON (models dumped with Telegram's field names)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True, by_alias=True)
    if isinstance(value, list):
        return [to_json(item) for item in value]
    return value


def update_json(update: Update) -> dict[str, Any]:
    """The update as Telegram sent it: only the fields it had, ``from`` not ``from_user``."""
    return update.model_dump(mode="json", exclude_unset=True, exclude_none=True, by_alias=True)


def method_class(method: str) -> type[TelegramMethod[Any]]:
    """``sendMessage`` → :class:`aiogram.methods.SendMessage`."""
    cls = getattr(methods, method[:1].upper() + method[1:], None)
    if not (isinstance(cls, type) and issubclass(cls, TelegramMethod)):
        raise PermanentError(f"unknown Bot API method {method!r}")
    return cls


def channel_error(exc: Exception) -> ChannelError:
    """Map an aiogram exception to the channel-neutral error the outbox understands."""
    if isinstance(exc, TelegramRetryAfter):
        return RetryAfter(float(exc.retry_after), exc.message)
    if isinstance(exc, TelegramMigrateToChat):
        # The group became a supergroup with a new id; the outbox moves the chat and resends.
        return ChatMigrated(int(exc.migrate_to_chat_id), exc.message)
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


class AiogramChannel:
    """A :class:`bot.channels.base.Channel` on aiogram 3."""

    name = "telegram"

    def __init__(self, token: str, *, api_url: str, polling_timeout: int = 25) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
        self.bot = Bot(token, session=session)
        self._polling_timeout = polling_timeout
        self._dispatcher: Dispatcher | None = None

    async def start_polling(self, on_update: UpdateHandler) -> None:
        dispatcher = Dispatcher()
        dispatcher.update.outer_middleware(_recording_middleware(on_update))
        self._dispatcher = dispatcher
        # A webhook left set by another deployment makes getUpdates fail with 409 Conflict.
        await self.bot.delete_webhook(drop_pending_updates=False)
        # With handle_as_tasks=False aiogram awaits each update before it moves the offset:
        # Dispatcher._listen_updates sets ``offset = update_id + 1`` only after the ``yield``
        # returns, and _polling awaits the handling inside that iteration (aiogram 3.31). So an
        # update is confirmed to Telegram only after on_update stored it.
        await dispatcher.start_polling(
            self.bot,
            polling_timeout=self._polling_timeout,
            handle_as_tasks=False,
            handle_signals=False,
            close_bot_session=False,
            allowed_updates=list(ALLOWED_UPDATES),
        )

    async def stop(self) -> None:
        dispatcher, self._dispatcher = self._dispatcher, None
        if dispatcher is None:
            return
        # stop_polling raises RuntimeError when polling never started (e.g. getMe failed).
        with contextlib.suppress(RuntimeError):
            await dispatcher.stop_polling()

    async def close(self) -> None:
        await self.bot.session.close()

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        request = method_class(method).model_validate(params)
        try:
            result = await self.bot(request)
        except Exception as exc:
            raise channel_error(exc) from exc
        return to_json(result)

    async def download(self, file_id: str) -> bytes:
        try:
            file = await self.bot.get_file(file_id)
            if not file.file_path:
                raise PermanentError("Telegram gave no file path (file too big?)")
            buffer = io.BytesIO()
            await self.bot.download_file(file.file_path, buffer)
        except ChannelError:
            raise
        except Exception as exc:
            raise channel_error(exc) from exc
        return buffer.getvalue()

    async def me(self) -> dict[str, Any]:
        try:
            user = await self.bot.get_me()
        except Exception as exc:
            raise channel_error(exc) from exc
        result: dict[str, Any] = to_json(user)
        return result


def _recording_middleware(on_update: UpdateHandler) -> Middleware:
    """An outer middleware that stores every update and never runs aiogram's own handlers."""

    async def record(
        _handler: Callable[..., Awaitable[Any]], event: TelegramObject, _data: dict[str, Any]
    ) -> None:
        if not isinstance(event, Update):
            return
        await _store_until_done(on_update, update_json(event))

    return record


async def _store_until_done(on_update: UpdateHandler, update: dict[str, Any]) -> None:
    """Retry storing until it works: aiogram swallows a handler's exception and moves the offset.

    Dispatcher._process_update logs any exception and reports the update as handled, so failing
    here would confirm an update that was never stored. Shielded so that a stop request lets the
    current insert finish instead of cutting the transaction.
    """
    delay = 0.5
    while True:
        try:
            await asyncio.shield(on_update(update))
            return
        except Exception:
            log.exception(
                "could not store update %s; retrying in %.1fs", update.get("update_id"), delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
