"""Webhook mode: Telegram POSTs each update to this process instead of being polled.

``WEBHOOK_LISTEN=host:port`` turns it on for ``aduan run``. The listener answers:

* ``POST WEBHOOK_PATH`` (``/telegram/webhook``): the secret header is compared with
  ``WEBHOOK_SECRET`` in constant time (401 otherwise); the update is written to the inbox, and
  only then is 200 returned, so an update whose answer Telegram did not get is delivered again
  (the inbox recognises it by its id). A store that fails answers 500 and Telegram retries.
  The body is checked first (``runtime.webhook_input``): anything but a well-formed update is
  refused with 400 (413 when too large) and a short reason, and is never stored.
* ``GET /healthz``: the process is alive.
* ``GET /readyz``: the database answers and its schema is at this version's migration head
  (503 otherwise), for a reverse proxy or an orchestrator to route by.
* ``GET /metrics``: Prometheus metrics (``runtime.metrics``).

The last three answer only the peer addresses ``METRICS_ALLOW`` names (``runtime.monitor_access``;
this machine by default), 403 to any other.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.channels.base import UpdateHandler
from runtime.monitor_access import DEFAULT_ALLOW, AllowList, parse_allow
from runtime.webhook_input import MAX_BODY_BYTES, BadUpdateError, parse_update

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Telegram's rule for ``secret_token``: 1-256 characters of A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

ReadinessCheck = Callable[[], Awaitable[str | None]]
"""Returns None when ready, or a short reason why not."""
Handler = Callable[["web.Request"], Awaitable["web.Response"]]


@dataclass(frozen=True)
class Listen:
    host: str
    port: int


def parse_listen(value: str) -> Listen:
    """``host:port`` (``[::1]:8443`` for IPv6); ValueError if it is not one."""
    host, sep, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(value)
    return Listen(host, int(port))


class WebhookServer:
    """The HTTP listener of one process; :meth:`serve` runs until :meth:`stop`."""

    def __init__(
        self,
        *,
        listen: Listen,
        path: str,
        secret: str,
        on_update: UpdateHandler,
        ready: ReadinessCheck,
        metrics: Callable[[], Awaitable[bytes]] | None = None,
        monitor_allow: AllowList | None = None,
        telegram: bool = True,
        routes: Sequence[Callable[[web.Application], None]] = (),
    ) -> None:
        """``telegram``: Telegram's updates come here (webhook mode), not by polling;
        ``routes`` add other doors (the WhatsApp webhook, ``runtime.whatsapp_webhook``)."""
        self.telegram = telegram
        self._routes = tuple(routes)
        self._listen = listen
        self._path = path
        self._secret = secret.encode()
        self._on_update = on_update
        self._ready = ready
        self._metrics = metrics
        self._allow = monitor_allow if monitor_allow is not None else parse_allow(DEFAULT_ALLOW)
        self._runner: web.AppRunner | None = None
        self._stop = asyncio.Event()
        self.port = listen.port

    def app(self) -> web.Application:
        from aiohttp import web  # only webhook mode loads aiohttp (python-telegram-bot does not)

        app = web.Application(client_max_size=MAX_BODY_BYTES)
        if self.telegram:
            app.router.add_post(self._path, self._update)
        for add in self._routes:
            add(app)
        app.router.add_get("/healthz", self._allowed_only(self._healthz))
        app.router.add_get("/readyz", self._allowed_only(self._readyz))
        if self._metrics is not None:
            app.router.add_get("/metrics", self._allowed_only(self._serve_metrics))
        return app

    def _allowed_only(self, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.Response:
            from aiohttp import web

            if not self._allow.allows(request.remote):  # the TCP peer, never a header
                return web.Response(status=403, text="forbidden")
            return await handler(request)

        return guarded

    async def start(self) -> None:
        from aiohttp import web

        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._listen.host, self._listen.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("webhook listening on %s:%s%s", self._listen.host, self.port, self._path)

    async def serve(self) -> None:
        if self._runner is None:
            await self.start()
        await self._stop.wait()

    async def stop(self) -> None:
        """Stop taking updates; a request being stored finishes first (aiohttp's shutdown)."""
        self._stop.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _update(self, request: web.Request) -> web.Response:
        from aiohttp import web

        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=401, text="wrong secret token")
        try:
            update = parse_update(await request.read())
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="body too large")
        except BadUpdateError as refused:
            return web.Response(status=refused.status, text=str(refused))
        try:
            await self._on_update(update)
        except Exception as error:  # not stored: Telegram delivers it again
            log.error("update %s not stored: %s", update["update_id"], type(error).__name__)
            return web.Response(status=500, text="not stored")
        return web.Response(status=200)

    async def _healthz(self, _request: web.Request) -> web.Response:
        from aiohttp import web

        return web.Response(text="ok")

    async def _serve_metrics(self, _request: web.Request) -> web.Response:
        from aiohttp import web

        assert self._metrics is not None
        body = await self._metrics()
        return web.Response(body=body, headers={"Content-Type": METRICS_CONTENT_TYPE})

    async def _readyz(self, _request: web.Request) -> web.Response:
        from aiohttp import web

        try:
            problem = await self._ready()
        except Exception as error:
            problem = f"database: {type(error).__name__}"
        if problem is None:
            return web.Response(text="ready")
        return web.Response(status=503, text=problem)
