"""A loopback Telegram Bot API server for tests, benchmarks and the training sandbox.

The bot under test points its framework at :attr:`Emulator.base_url` (aiogram:
``TelegramAPIServer.from_base(url)``; python-telegram-bot: ``base_url=url + "/bot"``,
``base_file_url=url + "/file/bot"``) and talks to it exactly as to api.telegram.org:

* ``/bot<token>/<method>`` -- GET or POST, query/form/multipart/JSON parameters, answers
  ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N, "description": ...}``
  (429 adds ``parameters.retry_after``). Every ``<digits>:<secret>`` token is its own bot.
* ``/file/bot<token>/<file_path>`` -- downloads a file returned by getFile.
* ``/control/<token>/...`` -- the user side of Telegram for tests; see :mod:`emulator.control`.

getUpdates keeps updates until a later call confirms them with ``offset``, so a bot killed before
confirming gets them again, as with Telegram. Size limits, flood limits (optional) and injected
faults are answered with Telegram's status codes and texts.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiohttp import BodyPartReader, web

from emulator import clips, control, groups, members, methods, webhook
from emulator.calls import METHODS, Call, Params, Upload
from emulator.errors import ApiError, bad_request
from emulator.flood import FloodLimiter
from emulator.state import BotState, EpochClock, FaultRule, JsonDict

#: The modules whose ``@api_method`` handlers fill :data:`~emulator.calls.METHODS`.
METHOD_MODULES = (methods, members, clips)

log = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{1,100}$")
_FAULT_TEXTS = {
    400: "Bad Request: injected fault",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

ControlHandler = Callable[[BotState, web.Request], Awaitable[Any]]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


def _fault_error(rule: FaultRule) -> ApiError:
    status = rule.status or 500
    if status == 429:
        return ApiError(
            429, f"Too Many Requests: retry after {rule.retry_after}", retry_after=rule.retry_after
        )
    return ApiError(status, _FAULT_TEXTS.get(status, "Internal Server Error"))


async def _read_params(request: web.Request) -> tuple[JsonDict, dict[str, Upload]]:
    """Merge query string and body (JSON, urlencoded or multipart) into one parameter dict."""
    values: JsonDict = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.body_exists:
        return values, uploads
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise bad_request("request body must be a JSON object")
        values.update(body)
    elif content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                data = bytes(await part.read(decode=True))
                uploads[part.name] = Upload(
                    data, part.filename, part.headers.get("Content-Type", "")
                )
            else:
                values[part.name] = await part.text()
    else:
        form = await request.post()
        values.update({key: value for key, value in form.items() if isinstance(value, str)})
    return values, uploads


class Emulator:
    """The emulator server. ``port=0`` picks a free port; read it back from :attr:`base_url`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        flood_limits: bool = False,
        bot_username: str = "kanal_aduan_bot",
        clock: EpochClock = time.time,
    ) -> None:
        self.host = host
        #: Message dates come from here: the sandbox passes its travelling clock.
        self.clock = clock
        self.port = port
        self.flood_limits = flood_limits
        self.bot_username = bot_username
        self._bots: dict[str, BotState] = {}
        self._runner: web.AppRunner | None = None
        self._closing: asyncio.Event | None = None
        self.app = self._build_app()

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        if self._runner is not None:
            return
        self._closing = asyncio.Event()
        # A short shutdown timeout: stop() wakes long polls itself, so nothing should linger.
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        address = self._runner.addresses[0]
        self.port = int(address[1])

    async def stop(self) -> None:
        if self._runner is None:
            return
        if self._closing is not None:
            self._closing.set()
        for bot in self._bots.values():
            bot.closed = True
            bot.wake_pollers()
            await webhook.stop(bot)
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("Emulator is not started")
        return f"http://{self.host}:{self.port}"

    def bot_state(self, token: str) -> BotState:
        """The in-process state of one bot, for tests that want to look inside."""
        bot = self._bots.get(token)
        if bot is None:
            bot = BotState(
                token, username=self.bot_username, flood_limits=self.flood_limits, clock=self.clock
            )
            self._bots[token] = bot
        return bot

    def reset(self, token: str) -> None:
        old = self._bots.pop(token, None)
        if old is not None:
            old.closed = True
            old.wake_pollers()

    # --- routing ---------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        routes: list[tuple[str, str, ControlHandler]] = [
            ("POST", "updates/message", self._body(control.user_message)),
            ("POST", "updates/callback", self._body(control.callback)),
            ("POST", "updates/member", self._body(groups.member_update)),
            ("POST", "updates/migrate", self._body(groups.migrate_group)),
            ("POST", "updates/raw", self._body(control.raw_update)),
            ("POST", "updates/again", self._body(control.update_again)),
            ("GET", "updates", self._pending_updates),
            ("POST", "files", self._upload),
            ("GET", "messages", self._messages),
            ("GET", "messages/all", self._all_messages),
            ("GET", "history", self._history),
            ("GET", "callback_answers", self._callback_answers),
            ("GET", "stats", self._stats),
            ("POST", "faults", self._body(control.add_fault)),
            ("POST", "faults/clear", self._body(control.clear_faults)),
            ("POST", "block", self._body(partial(control.set_blocked, blocked=True))),
            ("POST", "unblock", self._body(partial(control.set_blocked, blocked=False))),
            ("POST", "limits", self._body(self._set_limits)),
            ("POST", "chats", self._body(control.register_chat)),
            ("GET", "chat", self._chat_state),
            ("POST", "reset", self._reset),
        ]
        for http_method, path, handler in routes:
            app.router.add_route(
                http_method, f"/control/{{token}}/{path}", partial(self._control, handler)
            )
        return app

    async def _api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not _TOKEN_RE.match(token):
            return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        bot = self.bot_state(token)
        method = request.match_info["method"].lower()
        entry = METHODS.get(method)
        if entry is None:
            bot.error_counts[404] += 1
            body = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            return _json(body, 404)
        name, handler = entry
        bot.method_counts[name] += 1
        try:
            values, uploads = await _read_params(request)
            fault = bot.take_fault(method)
            if fault is not None:
                if fault.delay > 0:
                    await self._sleep(fault.delay)
                if fault.status is not None:
                    raise _fault_error(fault)
            result = await handler(Call(bot, Params(values, uploads), name))
        except ApiError as error:
            bot.error_counts[error.status] += 1
            if error.status == 429:
                bot.too_many_requests += 1
            return _json(error.payload(), error.status)
        except Exception as error:  # a bug in the emulator must still answer like a server
            log.exception("emulator failed in %s", name)
            bot.error_counts[500] += 1
            body = {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error: {error!r}",
            }
            return _json(body, 500)
        return _json({"ok": True, "result": result})

    async def _sleep(self, seconds: float) -> None:
        # Ends early on stop() so an injected timeout never holds the server open.
        if self._closing is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        bot = self._bots.get(request.match_info["token"])
        stored = bot.files_by_path.get(request.match_info["path"]) if bot else None
        if stored is None:
            return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(body=stored.data, content_type=stored.mime_type or None)

    # --- control API -----------------------------------------------------------------------
    async def _control(self, handler: ControlHandler, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not _TOKEN_RE.match(token):
            return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        try:
            result = await handler(self.bot_state(token), request)
        except ApiError as error:
            return _json(error.payload(), error.status)
        except (KeyError, TypeError, ValueError) as error:
            return _json(bad_request(f"invalid control request: {error!r}").payload(), 400)
        return _json(result)

    @staticmethod
    def _body(
        handler: Callable[[BotState, dict[str, Any]], Any],
    ) -> ControlHandler:
        async def run(bot: BotState, request: web.Request) -> Any:
            body: Any = {}
            if request.body_exists:
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("control requests take a JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("control requests take a JSON object")
            return handler(bot, body)

        return run

    def _set_limits(self, bot: BotState, body: dict[str, Any]) -> JsonDict:
        bot.flood_enabled = bool(body.get("flood_limits"))
        # Fresh buckets so earlier traffic does not count; rates from the body or Telegram's.
        bot.flood = FloodLimiter.from_body(body)
        return {"flood_limits": bot.flood_enabled, **bot.flood.describe()}

    async def _pending_updates(self, bot: BotState, request: web.Request) -> list[JsonDict]:
        return list(bot.updates)

    async def _upload(self, bot: BotState, request: web.Request) -> JsonDict:
        values, uploads = await _read_params(request)
        if "file" in uploads:
            upload = uploads["file"]
            data = upload.data
            mime_type = str(values.get("mime_type") or upload.content_type or "")
            file_name = str(values.get("file_name") or upload.filename)
        elif "data_base64" in values:
            data = base64.b64decode(str(values["data_base64"]))
            mime_type = str(values.get("mime_type") or "")
            file_name = str(values.get("file_name") or "file.bin")
        else:
            raise bad_request("send a multipart 'file' field or JSON data_base64")
        mime_type = mime_type or "application/octet-stream"
        kind = "photo" if mime_type.startswith("image/") else "document"
        return bot.add_file(data, mime_type=mime_type, file_name=file_name, kind=kind).describe()

    async def _messages(self, bot: BotState, request: web.Request) -> list[JsonDict]:
        chat_id = request.query.get("chat_id")
        after = int(request.query.get("after_message_id") or 0)
        return bot.bot_messages(int(chat_id) if chat_id else None, after)

    async def _all_messages(self, bot: BotState, request: web.Request) -> list[JsonDict]:
        return bot.bot_messages()

    async def _history(self, bot: BotState, request: web.Request) -> list[JsonDict]:
        after = int(request.query.get("after_message_id") or 0)
        return bot.history(control.chat_id_of(request.query), after)

    async def _callback_answers(self, bot: BotState, request: web.Request) -> list[JsonDict]:
        return control.callback_answers(bot, request.query)

    async def _chat_state(self, bot: BotState, request: web.Request) -> JsonDict:
        return control.chat_state(bot, request.query)

    async def _stats(self, bot: BotState, request: web.Request) -> JsonDict:
        return bot.stats()

    async def _reset(self, bot: BotState, request: web.Request) -> JsonDict:
        self.reset(bot.token)
        return {"reset": True}


async def serve_forever(
    host: str = "127.0.0.1",
    port: int = 8081,
    *,
    flood_limits: bool = False,
    bot_username: str = "kanal_aduan_bot",
) -> None:
    """Run an emulator until cancelled (the CLI entry point)."""
    emulator = Emulator(host, port, flood_limits=flood_limits, bot_username=bot_username)
    await emulator.start()
    print(f"Bot API emulator listening on {emulator.base_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()
