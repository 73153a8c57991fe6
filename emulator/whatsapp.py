"""A loopback fake of the WhatsApp Cloud API (Meta's Graph API), for tests and local trials.

The real pywa client talks HTTP to it (its base URL pointed here): it records the messages the
bot sends, serves uploaded and received media, and delivers citizens' messages to the bot as
signed webhooks (``X-Hub-Signature-256``, HMAC-SHA256 of the body with the app secret), as Meta
does. It refuses what Meta refuses: more than 3 reply buttons or a title over 20 characters, a
list over 10 rows (row titles over 24), a pair rate over its limit (error 131056), and more than
``per_second`` messages in any second (130429), so a bot that passes here keeps inside the real
limits.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, web

from emulator.whatsapp_statuses import StatusWebhooks

JsonDict = dict[str, Any]
API_VERSION = "v26.0"
WINDOW_SECONDS = 24 * 3600.0


@dataclass
class PairBucket:
    """Meta's pair rate (about one message every ``seconds`` to a user, short bursts allowed)."""

    seconds: float
    burst: float
    tokens: float = -1.0
    at: float = 0.0

    def take(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) / self.seconds)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass
class FakeWhatsApp:
    """The fake Graph API; :meth:`start` serves it, :meth:`incoming` plays a citizen's message."""

    phone_number_id: str = "1000001"
    access_token: str = "fake-access-token"
    app_secret: str = "fake-app-secret"
    webhook_url: str = ""
    pair_seconds: float = 6.0
    pair_burst: float = 45.0
    #: Meta's throughput for a business number: more in any second is refused (130429);
    #: 0: no limit.
    per_second: float = 80.0
    timer: Callable[[], float] = time.monotonic
    #: The wall clock of the 24-hour window, in seconds (a test moves it with the bot's).
    clock: Callable[[], float] = time.time
    #: The approved templates: (name, language) → how many body parameters.
    templates: dict[tuple[str, str], int] = field(default_factory=dict)
    last_inbound: dict[str, float] = field(default_factory=dict)
    #: False: every chat's window is taken as open (a bench of pacing alone).
    enforce_window: bool = True
    sent: list[JsonDict] = field(default_factory=list)
    #: When each message in ``sent`` was accepted (``timer``'s seconds).
    sent_at: list[float] = field(default_factory=list)
    refused: list[JsonDict] = field(default_factory=list)
    #: How many sends were refused, by Meta's error code.
    refusals: Counter[int] = field(default_factory=Counter)
    #: Numbers whose every message Meta refuses at send time: number → (code, message).
    refuse_to: dict[str, tuple[int, str]] = field(default_factory=dict)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    #: The media ids of the bot's uploads, in order.
    uploads: list[str] = field(default_factory=list)
    # Each accepted message's statuses, posted to the bot as signed webhooks.
    statuses: StatusWebhooks = field(default_factory=StatusWebhooks)
    _pairs: dict[str, PairBucket] = field(default_factory=dict)
    _second: deque[float] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _session: ClientSession | None = None
    _changed: asyncio.Condition | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_post(f"/{API_VERSION}/{{phone}}/messages", self._messages)
        app.router.add_post(f"/{API_VERSION}/{{phone}}/media", self._upload)
        app.router.add_get(f"/{API_VERSION}/{{media_id}}", self._media_url)
        app.router.add_get("/download/{media_id}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._session = ClientSession()
        self._changed = asyncio.Condition()

    async def stop(self) -> None:
        await self.statuses.settled()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what the bot calls ------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.access_token}"

    async def _messages(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, 190, "Invalid OAuth access token")
        if request.match_info["phone"] != self.phone_number_id:
            return _error(400, 100, "Unknown phone number id")
        body: JsonDict = await request.json()
        problem = interactive_problem(body)
        if problem:
            self.refused.append(body)
            return _error(400, 131009, problem)
        if _unknown_media(body, self.media):
            self.refused.append(body)
            return _error(400, 131053, "Media upload error: unknown media id")
        now = self.timer()
        while self._second and self._second[0] <= now - 1.0:
            self._second.popleft()
        if self.per_second and len(self._second) >= self.per_second:
            return self._refuse(body, 130429, "Rate limit hit: too many messages in one second")
        to = str(body.get("to", ""))
        refusal = self.refuse_to.get(to) or self._outside_window(to, body)
        if refusal is not None:
            return self._refuse(body, *refusal)
        bucket = self._pairs.setdefault(to, PairBucket(self.pair_seconds, self.pair_burst))
        if not bucket.take(now):
            message = "(Business Account, Consumer Account) pair rate limit hit"
            return self._refuse(body, 131056, message)
        self._second.append(now)
        message_id = f"wamid.OUT{next(self._ids):08d}"
        await self._record({**body, "id": message_id})
        if self.webhook_url:
            self.statuses.after_send(
                {**body, "id": message_id}, self.phone_number_id, self.post_webhook
            )
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": message_id}],
            }
        )

    def _outside_window(self, to: str, body: JsonDict) -> tuple[int, str] | None:
        """Meta's refusal of a message the 24-hour window or the templates forbid, or None."""
        if body.get("type") == "template":
            template = body.get("template") or {}
            key = (str(template.get("name")), str((template.get("language") or {}).get("code")))
            if key not in self.templates:
                return 132001, "Template name does not exist in the translation"
            given = [
                p
                for c in template.get("components") or []
                if c.get("type") == "body"
                for p in c.get("parameters") or []
            ]
            if len(given) != self.templates[key]:
                return 132000, "Number of parameters does not match the expected number of params"
            return None
        last = self.last_inbound.get(to)
        if not self.enforce_window:
            return None
        if last is None or self.clock() - last >= WINDOW_SECONDS:
            return 131047, "Re-engagement message"
        return None

    def _refuse(self, body: JsonDict, code: int, message: str) -> web.Response:
        self.refused.append(body)
        self.refusals[code] += 1
        return _error(400, code, message)

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, 190, "Invalid OAuth access token")
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            return _error(400, 100, "file is required")
        media_id = self.add_media(upload.file.read(), upload.content_type or "image/jpeg")
        self.uploads.append(media_id)
        return web.json_response({"id": media_id})

    async def _media_url(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if media_id not in self.media:
            return _error(404, 100, "Unknown media id")
        content, mime = self.media[media_id]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "id": media_id,
                "url": f"{self.base_url}/download/{media_id}",
                "mime_type": mime,
                "sha256": hashlib.sha256(content).hexdigest(),
                "file_size": len(content),
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        found = self.media.get(request.match_info["media_id"])
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[0], content_type=found[1])

    async def _record(self, message: JsonDict) -> None:
        assert self._changed is not None
        async with self._changed:
            self.sent.append(message)
            self.sent_at.append(self.timer())
            self._changed.notify_all()

    # --- what a test plays -------------------------------------------------------------------

    def add_media(self, content: bytes, mime: str) -> str:
        media_id = f"{next(self._ids) + 5_000_000}"
        self.media[media_id] = (content, mime)
        return media_id

    def sign(self, body: bytes) -> str:
        digest = hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()
        return f"sha256={digest}"

    def webhook_body(
        self, wa_id: str, name: str, message: JsonDict, *, phone_number_id: str = ""
    ) -> bytes:
        """A webhook as Meta posts it, with one message from ``wa_id`` (whose window opens)."""
        self.last_inbound[wa_id] = self.clock()
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": "6281100000000",
                "phone_number_id": phone_number_id or self.phone_number_id,
            },
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [
                {"from": wa_id, "id": f"wamid.IN{next(self._ids):08d}", "timestamp": "0", **message}
            ],
        }
        entry = {"id": "WABA", "changes": [{"field": "messages", "value": value}]}
        return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()

    async def post_webhook(self, body: bytes, signature: str | None = "") -> int:
        """POST a webhook body to the bot; the HTTP status it answered."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature or self.sign(body)
        async with self._session.post(self.webhook_url, data=body, headers=headers) as response:
            return response.status

    async def incoming(self, wa_id: str, name: str, message: JsonDict) -> int:
        return await self.post_webhook(self.webhook_body(wa_id, name, message))

    async def wait_sent(
        self, predicate: Callable[[JsonDict], bool], *, after: int = 0, timeout: float = 15.0
    ) -> JsonDict:
        """The first message sent (from index ``after`` on) that ``predicate`` accepts."""
        assert self._changed is not None
        async with asyncio.timeout(timeout), self._changed:
            while True:
                for message in self.sent[after:]:
                    if predicate(message):
                        return message
                await self._changed.wait()


def interactive_problem(body: JsonDict) -> str:
    """What Meta would refuse in an interactive message ("" when nothing)."""
    interactive = body.get("interactive")
    if body.get("type") != "interactive" or not isinstance(interactive, dict):
        return ""
    action = interactive.get("action", {})
    buttons = action.get("buttons")
    if buttons is not None:
        if not 1 <= len(buttons) <= 3:
            return "buttons: between 1 and 3"
        if any(len(b.get("reply", {}).get("title", "")) > 20 for b in buttons):
            return "button title: at most 20 characters"
    sections = action.get("sections")
    if sections is not None:
        rows = [row for section in sections for row in section.get("rows", [])]
        if not 1 <= len(rows) <= 10:
            return "list: between 1 and 10 rows"
        if any(len(row.get("title", "")) > 24 for row in rows):
            return "row title: at most 24 characters"
        if len(str(action.get("button", ""))) > 20:
            return "list button: at most 20 characters"
    body_text = interactive.get("body", {}).get("text", "")
    if len(body_text) > 1024:
        return "interactive body: at most 1024 characters"
    return ""


def _unknown_media(body: JsonDict, media: dict[str, tuple[bytes, str]]) -> bool:
    """An image, audio or video message naming a media id this fake never had (Meta: expired
    or deleted)."""
    kind = str(body.get("type", ""))
    sent = body.get(kind) if kind in ("image", "audio", "video") else None
    return isinstance(sent, dict) and "id" in sent and str(sent["id"]) not in media


def _error(status: int, code: int, message: str) -> web.Response:
    trace = base64.b64encode(str(time.time()).encode()).decode()[:12]
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": trace}
    return web.json_response({"error": error}, status=status)
