"""The sandbox's web server: the page (static files from the package) and its JSON API.

Every action of the page is a user's action on the emulator's control API, made here with the
sandbox's :class:`~emulator.EmulatorClient` on behalf of the pane's person: typing,
tapping a button, replying, sending a photo or a location. The page draws each chat from the
emulator's ``history``; it never sees the bot's database.

``GET  /api/state?lang=``                 texts, panes, scenarios, sample photos, the clock
``GET  /api/panes/{pane}/messages``       the chat as the pane's person sees it
``POST /api/panes/{pane}/text``           ``{text, reply_to?}``
``POST /api/panes/{pane}/press``          ``{message_id, data}`` (an inline button)
``POST /api/panes/{pane}/photo``          multipart ``file`` or JSON ``{sample}``; ``caption?``,
                                          ``reply_to?``
``POST /api/panes/{pane}/location``       ``{}`` (a point in Sepaso)
``GET  /api/files/{file_id}``             a photo of a chat, fetched as a Telegram client would
``POST /api/clock/advance``               ``{days}`` working days
``POST /api/reset``, ``POST /api/scenarios/{key}``

A refusal is ``{"error": CODE}`` with one of :data:`REFUSALS`; the page says it in its own
language from the catalogue's ``sandbox.error.CODE``, so no English reaches an Indonesian page.
Each message of a chat carries ``shown``: its time and day on the sandbox's clock, written for
the page's language (``?lang=``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from emulator import EmulatorError
from locales import load_messages
from storage.console import issue_login
from web import security_headers
from web.sandbox import scenarios
from web.sandbox.cast import DEMO_LOCATION, PANES, Pane, pane
from web.sandbox.clockface import clock_label as write_clock
from web.sandbox.clockface import day_label, stamp
from web.sandbox.runtime import DayRound, Sandbox
from web.sandbox.samples import SAMPLES, sample

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
CONSOLE_URL_KEY = web.AppKey("console_url", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
JsonDict = dict[str, Any]
#: A photo from the computer may be as large as a phone photo; Telegram's own cap is 10 MB.
MAX_UPLOAD = 10 * 1024 * 1024
MAX_ADVANCE_DAYS = 60
#: A Telegram app lets nobody send a longer text or caption (counted in UTF-16 units).
MAX_TEXT = 4096
MAX_CAPTION = 1024

#: What the page can be told went wrong; each is ``sandbox.error.<code>`` in every language.
REFUSALS = (
    "bad_request",
    "not_found",
    "empty_message",
    "no_such_pane",
    "no_such_scenario",
    "no_such_sample",
    "no_file",
    "not_an_image",
    "days_out_of_range",
    "button_gone",
    "text_too_long",
    "caption_too_long",
    "reply_gone",
    "file_too_big",
    "telegram_refused",
    "starting",
    "failed",
)

#: Telegram's (the emulator's) refusals a person can cause from the page, by a phrase of their
#: description, first match wins; any other is ``telegram_refused``.
TELEGRAM_REFUSALS = (
    ("to press a button on", "button_gone"),
    ("has no button with callback_data", "button_gone"),
    ("message caption is too long", "caption_too_long"),
    ("message is too long", "text_too_long"),
    ("message to be replied not found", "reply_gone"),
    ("file is too big", "file_too_big"),
)


class RefusalError(Exception):
    """An action the page asked for and the sandbox refuses, with the code the page says."""

    def __init__(self, code: str, status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def telegram_refusal(description: str) -> str:
    for phrase, code in TELEGRAM_REFUSALS:
        if phrase in description:
            return code
    return "telegram_refused"


def create_app(sandbox: Sandbox, *, console_url: str = "") -> web.Application:
    """``console_url``: where the sandbox's console listens; ``GET /konsol`` signs the trainer
    in there as the coordinator."""
    app = web.Application(client_max_size=MAX_UPLOAD + 64 * 1024, middlewares=[_errors])
    security_headers.install(app)
    app[SANDBOX_KEY] = sandbox
    app[CONSOLE_URL_KEY] = console_url
    app.router.add_get("/konsol", _console)
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC_DIR)
    app.router.add_get("/api/state", _state)
    app.router.add_get("/api/panes/{pane}/messages", _messages)
    app.router.add_post("/api/panes/{pane}/text", _text)
    app.router.add_post("/api/panes/{pane}/press", _press)
    app.router.add_post("/api/panes/{pane}/photo", _photo)
    app.router.add_post("/api/panes/{pane}/location", _location)
    app.router.add_get("/api/files/{file_id}", _file)
    app.router.add_post("/api/clock/advance", _advance)
    app.router.add_post("/api/reset", _reset)
    app.router.add_post("/api/scenarios/{key}", _scenario)
    return app


#: How long a request made while the sandbox starts waits for it before a polite refusal.
STARTUP_WAIT_SECONDS = 60.0


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refusals come back as ``{"error": CODE}`` for the page to say in its language; the
    details (in English, for whoever runs the sandbox) go to the log.

    A request made while the sandbox is still starting waits for it (the bot migrates its
    database and binds the demo groups first), and is refused politely if that takes too long.
    Nothing a request does can end the process: an unexpected error is logged and answered.
    """
    sandbox = _sandbox(request)
    if request.path.startswith("/api/") and not sandbox.ready.is_set():
        try:
            await asyncio.wait_for(sandbox.ready.wait(), STARTUP_WAIT_SECONDS)
        except TimeoutError:
            return _refused(request, "starting", 503, "the sandbox is still starting")
    try:
        return await handler(request)
    except RefusalError as refusal:
        return _refused(request, refusal.code, refusal.status, refusal.code)
    except web.HTTPNotFound:
        if not request.path.startswith("/api/"):
            raise
        return _refused(request, "not_found", 404, "no such address")
    except EmulatorError as error:
        code = telegram_refusal(error.description)
        return _refused(request, code, 400, error.description)
    except (KeyError, ValueError) as error:
        return _refused(request, "bad_request", 400, repr(error))
    except web.HTTPException:
        raise
    except Exception:
        log.exception("sandbox request %s %s failed", request.method, request.path)
        return _refused(request, "failed", 500, "unexpected error (logged)")


def _refused(request: web.Request, code: str, status: int, detail: str) -> web.Response:
    log.info("sandbox refused %s %s: %s (%s)", request.method, request.path, code, detail)
    return web.json_response({"error": code}, status=status)


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


def _pane(request: web.Request) -> Pane:
    try:
        return pane(request.match_info["pane"])
    except KeyError:
        raise RefusalError("no_such_pane", 404) from None


async def _body(request: web.Request) -> JsonDict:
    if not request.can_read_body:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise RefusalError("bad_request")
    return body


def _reply_to(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", 0, "0") else None


# --- the page --------------------------------------------------------------------------------
async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


def page_texts(language: str) -> dict[str, str]:
    """The page's texts in ``language``, keyed without the ``sandbox.`` prefix."""
    return {
        key.removeprefix("sandbox."): text
        for key, text in load_messages(language).items()
        if key.startswith("sandbox.") and not key.startswith("sandbox.cli.")
    }


def page_language(value: object) -> str:
    return value if value in ("id", "en") else "id"


def clock_label(sandbox: Sandbox, language: str) -> str:
    """``Senin, 23 November 2026 08.00 WITA``."""
    return write_clock(sandbox.now(), language)


def _pane_json(item: Pane) -> JsonDict:
    user = item.user
    return {
        "key": item.key,
        "kind": item.kind,
        "title": item.title,
        "short": item.short,
        "chat_id": item.chat_id,
        "is_group": item.is_group,
        "user": {"id": user.id, "name": f"{user.first_name} {user.last_name}".strip()},
    }


async def _state(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    language = page_language(request.query.get("lang") or sandbox.catalogs.default_language)
    texts = page_texts(language)
    return web.json_response(
        {
            "language": language,
            "texts": texts,
            "now": sandbox.now().isoformat(),
            "clock": clock_label(sandbox, language),
            "busy": sandbox.lock.locked(),
            "panes": [_pane_json(item) for item in PANES],
            "scenarios": [
                {"key": key, "label": texts[f"scenario.{key}"]} for key in scenarios.SCENARIOS
            ],
            "samples": [
                {
                    "name": item.file_name,
                    "label": texts[item.label_key.removeprefix("sandbox.")],
                    "url": f"/static/samples/{item.file_name}",
                }
                for item in SAMPLES
            ],
            "location": {"latitude": DEMO_LOCATION[0], "longitude": DEMO_LOCATION[1]},
        }
    )


async def _console(request: web.Request) -> web.Response:
    """The trainer's way into the sandbox's console: a fresh coordinator login link (the page's
    user already controls the whole sandbox, so this gives nothing away)."""
    url = request.app[CONSOLE_URL_KEY]
    if not url:
        raise web.HTTPNotFound()
    sandbox = _sandbox(request)
    async with sandbox.app.uow_factory() as uow:
        coordinator = await uow.units.coordinator()
        if coordinator is None:
            raise web.HTTPNotFound()
        token = await issue_login(uow.session, coordinator.id, now=sandbox.now())
        await uow.commit()
    raise web.HTTPSeeOther(f"{url}/masuk/{token}")


# --- the chats -------------------------------------------------------------------------------
async def _messages(request: web.Request) -> web.Response:
    sandbox, chat = _sandbox(request), _pane(request)
    try:
        history = await sandbox.telegram.history(chat.chat_id)
    except EmulatorError as error:
        if "chat not found" not in error.description:
            raise
        history = []  # nobody has written in this chat yet (or the sandbox was just reset)
    language = page_language(request.query.get("lang") or sandbox.catalogs.default_language)
    shown = [_with_stamp(m, sandbox, language) for m in history if not m.get("deleted")]
    return web.json_response(shown)


def _with_stamp(message: JsonDict, sandbox: Sandbox, language: str) -> JsonDict:
    """The message with ``shown``: its time and day in the sandbox's zone (the emulator dates
    messages by the sandbox's clock)."""
    moment = datetime.fromtimestamp(int(message.get("date") or 0), sandbox.timezone)
    return {**message, "shown": stamp(moment, language)}


async def _text(request: web.Request) -> web.Response:
    sandbox, chat, body = _sandbox(request), _pane(request), await _body(request)
    text = str(body.get("text") or "").strip()
    if not text:
        raise RefusalError("empty_message")
    if telegram_length(text) > MAX_TEXT:
        raise RefusalError("text_too_long")
    async with sandbox.lock:
        sent = await sandbox.telegram.send_text(
            chat.user,
            text,
            chat_id=chat.chat_id,
            chat_type=chat.chat_type,
            reply_to=_reply_to(body.get("reply_to")),
        )
    return web.json_response(sent)


async def _press(request: web.Request) -> web.Response:
    sandbox, chat, body = _sandbox(request), _pane(request), await _body(request)
    async with sandbox.lock:
        update = await sandbox.telegram.press(
            chat.user, int(body["message_id"]), str(body["data"]), chat_id=chat.chat_id
        )
    return web.json_response(update)


async def _photo(request: web.Request) -> web.Response:
    sandbox, chat = _sandbox(request), _pane(request)
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise RefusalError("no_file")
        data, mime_type = upload.file.read(), upload.content_type
        caption, reply_to = str(form.get("caption") or ""), form.get("reply_to")
    else:
        body = await _body(request)
        data, mime_type = _sample_bytes(str(body.get("sample"))), "image/png"
        caption, reply_to = str(body.get("caption") or ""), body.get("reply_to")
    if not mime_type.startswith("image/"):
        raise RefusalError("not_an_image")
    if telegram_length(caption.strip()) > MAX_CAPTION:
        raise RefusalError("caption_too_long")
    async with sandbox.lock:
        sent = await sandbox.telegram.send_photo(
            chat.user,
            data,
            caption=caption.strip(),
            chat_id=chat.chat_id,
            chat_type=chat.chat_type,
            reply_to=_reply_to(reply_to),
            mime_type=mime_type,
        )
    return web.json_response(sent)


def _sample_bytes(name: str) -> bytes:
    try:
        return sample(name).path.read_bytes()
    except KeyError:
        raise RefusalError("no_such_sample") from None


async def _location(request: web.Request) -> web.Response:
    sandbox, chat = _sandbox(request), _pane(request)
    latitude, longitude = DEMO_LOCATION
    async with sandbox.lock:
        sent = await sandbox.telegram.send_location(
            chat.user, latitude, longitude, chat_id=chat.chat_id
        )
    return web.json_response(sent)


async def _file(request: web.Request) -> web.Response:
    """A photo by file id, fetched like a client does: ``getFile``, then the file URL."""
    telegram = _sandbox(request).telegram
    found = await telegram.call("getFile", file_id=request.match_info["file_id"])
    if not found.get("ok"):
        raise web.HTTPNotFound(text=str(found.get("description")))
    data = await telegram.download(str(found["result"]["file_path"]))
    headers = {"Cache-Control": "max-age=3600"}
    return web.Response(body=data, content_type=image_type(data), headers=headers)


def image_type(data: bytes) -> str:
    """The image's type from its first bytes: uploads are named ``photo.jpg`` whatever they are
    (Telegram re-encodes photos to JPEG; the emulator keeps the bytes as sent)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return "image/jpeg"


_MAGIC = ((b"\x89PNG", "image/png"), (b"GIF8", "image/gif"), (b"RIFF", "image/webp"))


# --- the trainer's controls ------------------------------------------------------------------
def _round_json(done: DayRound, language: str) -> JsonDict:
    return {"day": done.day.isoformat(), "date": day_label(done.day, language), **done.counts}


async def _advance(request: web.Request) -> web.Response:
    sandbox, body = _sandbox(request), await _body(request)
    try:
        days = int(str(body.get("days", 1)).strip())
    except ValueError:
        raise RefusalError("days_out_of_range") from None
    if not 1 <= days <= MAX_ADVANCE_DAYS:
        raise RefusalError("days_out_of_range")
    language = page_language(body.get("lang") or sandbox.catalogs.default_language)
    async with sandbox.lock:
        rounds = await sandbox.advance(days)
    return web.json_response(
        {
            "clock": clock_label(sandbox, language),
            "rounds": [_round_json(done, language) for done in rounds],
        }
    )


async def _reset(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    async with sandbox.lock:
        await sandbox.reset()
    return web.json_response({"reset": True})


async def _scenario(request: web.Request) -> web.Response:
    sandbox, key = _sandbox(request), request.match_info["key"]
    if key not in scenarios.SCENARIOS:
        raise RefusalError("no_such_scenario", 404)
    async with sandbox.lock:
        await scenarios.load(sandbox, key)
    return web.json_response({"scenario": key})
