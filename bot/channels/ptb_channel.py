"""The python-telegram-bot 22 adapter: updates for the inbox, and Bot API calls for the outbox.

Only :class:`telegram.Bot` is used, as the HTTP client that knows the Bot API (URLs, form and
multipart encoding, errors). ``Application`` and ``Updater`` are not: the Updater confirms a
batch (asks for the next offset) before the Application has handled it, which would let a crash
lose updates; the shared :class:`bot.channels.polling.LongPolling` loop confirms only what the
inbox stored.

Calls go through ``Bot._do_post``, the step behind every typed PTB method: it encodes the
parameters (form or multipart) and posts them, getUpdates on its own connection. The outbox
already holds Bot API JSON, and results go back as Telegram sent them, so nothing is converted to
PTB objects and back. The public ``Bot.do_api_request`` cannot carry that JSON: it warns on every
call for a method PTB has its own wrapper for, and (like ``Bot._post``) expects PTB objects, not
dicts, in ``media``. Failed answers are classified from Telegram's own response (see
:class:`TelegramRefusal`).
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

from telegram import Bot, InputFile, InputMediaDocument, InputMediaPhoto
from telegram import error as tg
from telegram.request import HTTPXRequest

from bot.channels.base import BatchHandler, UpdateHandler, Upload
from bot.channels.errors import (
    ChannelError,
    PermanentError,
    TransientError,
    error_from_response,
)
from bot.channels.polling import POLL_MARGIN, REQUEST_TIMEOUT, LongPolling
from bot.telegram_events import ALLOWED_UPDATES

#: Concurrent calls (the outbox sends to up to 16 chats at once, the media worker downloads).
CONNECTIONS = 32


class TelegramRefusal(tg.TelegramError):
    """A failed Bot API answer, classified from what Telegram sent.

    PTB's own exceptions keep less: no status code, the description rewritten ("Bad Request: "
    cut, the rest lower-cased) or replaced (429, migrated group). The description is what the
    outbox records and the coordinator reads in ``/gagal``, so it must not depend on the
    framework.
    """

    def __init__(self, error: ChannelError) -> None:
        super().__init__(error.description)
        self.error = error


def refusal(status: int, payload: bytes) -> ChannelError:
    """The channel error for a non-2xx answer (``{"ok": false, "error_code": ...}``)."""
    try:
        body = json.loads(payload)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return error_from_response(status, f"HTTP {status}")
    parameters = body.get("parameters") or {}
    return error_from_response(
        int(body.get("error_code") or status),
        str(body.get("description") or f"HTTP {status}"),
        parameters.get("retry_after"),
        parameters.get("migrate_to_chat_id"),
    )


class ExactErrorsRequest(HTTPXRequest):
    """PTB's httpx transport, raising :class:`TelegramRefusal` for every failed answer.

    ``do_request`` is PTB's documented extension point for a networking backend; PTB passes a
    :class:`telegram.error.TelegramError` raised here through unchanged.
    """

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        if not HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
            raise TelegramRefusal(refusal(status, payload))
        return status, payload


def channel_error(exc: Exception) -> ChannelError:
    """Map an exception of a PTB call to the channel-neutral error the outbox understands."""
    if isinstance(exc, TelegramRefusal):
        return exc.error
    if isinstance(exc, tg.BadRequest):
        # PTB's own refusals (a subclass of NetworkError there), should it raise one itself.
        return error_from_response(HTTPStatus.BAD_REQUEST, exc.message)
    if isinstance(exc, tg.NetworkError):
        # Timeouts (TimedOut) and connection errors, as PTB wraps httpx's.
        return TransientError(exc.message)
    if isinstance(exc, tg.TelegramError):
        return PermanentError(exc.message)
    if isinstance(exc, TimeoutError | OSError):
        return TransientError(repr(exc))
    raise exc


def _ptb_files(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with each :class:`Upload` as PTB's input file: a top-level one as a multipart
    field of the parameter's name, one in an album's entry inside PTB's own media object (PTB
    attaches files only from those, not from plain dicts)."""
    converted: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Upload):
            value = InputFile(value.content, filename=value.filename)
        elif key == "media" and isinstance(value, list):
            value = [_ptb_media(entry) for entry in value]
        converted[key] = value
    return converted


def _ptb_media(entry: Any) -> Any:
    if not (isinstance(entry, dict) and isinstance(entry.get("media"), Upload)):
        return entry
    upload: Upload = entry["media"]
    media = InputFile(upload.content, filename=upload.filename, attach=True)
    caption = entry.get("caption")
    if entry.get("type") == "document":
        return InputMediaDocument(media, caption=caption)
    return InputMediaPhoto(media, caption=caption)


def _request(connections: int) -> HTTPXRequest:
    return ExactErrorsRequest(
        connection_pool_size=connections,
        read_timeout=REQUEST_TIMEOUT,
        write_timeout=REQUEST_TIMEOUT,
        media_write_timeout=REQUEST_TIMEOUT,
        connect_timeout=REQUEST_TIMEOUT,
        pool_timeout=REQUEST_TIMEOUT,
    )


class PtbChannel:
    """A :class:`bot.channels.base.Channel` on python-telegram-bot 22."""

    name = "telegram"

    def __init__(self, token: str, *, api_url: str, polling_timeout: int = 25) -> None:
        api_url = api_url.rstrip("/")
        # getUpdates has its own connection, so a long poll never waits for a free one.
        self._updates_request = _request(1)
        self._request = _request(CONNECTIONS)
        self.bot = Bot(
            token,
            base_url=f"{api_url}/bot",
            base_file_url=f"{api_url}/file/bot",
            request=self._request,
            get_updates_request=self._updates_request,
        )
        self._polling = LongPolling(self._fetch, self.call, timeout=polling_timeout)

    async def start_polling(
        self, on_update: UpdateHandler, on_batch: BatchHandler | None = None
    ) -> None:
        await self._polling.run(on_update, on_batch)

    async def stop(self) -> None:
        self._polling.stop()

    async def close(self) -> None:
        await asyncio.gather(self._updates_request.shutdown(), self._request.shutdown())

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        return await self._post(method, _ptb_files(params))

    async def download(self, file_id: str) -> bytes:
        file = await self._post("getFile", {"file_id": file_id})
        path = file.get("file_path") if isinstance(file, dict) else None
        if not path:
            raise PermanentError("Telegram gave no file path (file too big?)")
        try:
            content = await self._request.retrieve(f"{self.bot.base_file_url}/{path}")
        except Exception as exc:
            raise channel_error(exc) from exc
        return bytes(content)

    async def me(self) -> dict[str, Any]:
        user: dict[str, Any] = await self._post("getMe", {})
        return user

    async def _fetch(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"timeout": timeout, "allowed_updates": list(ALLOWED_UPDATES)}
        if offset is not None:
            params["offset"] = offset
        updates: list[dict[str, Any]] = await self._post(
            "getUpdates", params, read_timeout=timeout + POLL_MARGIN
        )
        return updates

    async def _post(
        self, method: str, params: dict[str, Any], *, read_timeout: float = REQUEST_TIMEOUT
    ) -> Any:
        try:
            return await self.bot._do_post(method, params, read_timeout=read_timeout)
        except Exception as exc:
            raise channel_error(exc) from exc
