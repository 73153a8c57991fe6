"""The sandbox's web server: the page (static files from the package) and its JSON API.

Every action of the page is a user's action on the emulator's control API, made here with the
sandbox's :class:`~bot.emulator.EmulatorClient` on behalf of the pane's person: typing,
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
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.emulator import EmulatorError
from handlers.formatting import long_date
from locales import load_messages
from web.sandbox import scenarios
from web.sandbox.cast import DEMO_LOCATION, PANES, Pane, pane
from web.sandbox.runtime import DayRound, Sandbox
from web.sandbox.samples import SAMPLES, sample

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
JsonDict = dict[str, Any]
#: A photo from the computer may be as large as a phone photo; Telegram's own cap is 10 MB.
MAX_UPLOAD = 10 * 1024 * 1024


def create_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD + 64 * 1024, middlewares=[_errors])
    app[SANDBOX_KEY] = sandbox
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
    """Refusals come back as ``{"error": ...}`` for the page to show.

    A request made while the sandbox is still starting waits for it (the bot migrates its
    database and binds the demo groups first), and is refused politely if that takes too long.
    Nothing a request does can end the process: an unexpected error is logged and answered.
    """
    sandbox = _sandbox(request)
    if request.path.startswith("/api/") and not sandbox.ready.is_set():
        try:
            await asyncio.wait_for(sandbox.ready.wait(), STARTUP_WAIT_SECONDS)
        except TimeoutError:
            text = sandbox.t("sandbox.starting", _language(request))
            return web.json_response({"error": text}, status=503)
    try:
        return await handler(request)
    except web.HTTPNotFound as error:
        if not request.path.startswith("/api/"):
            raise
        return web.json_response({"error": error.text}, status=404)
    except EmulatorError as error:
        return web.json_response({"error": error.description}, status=400)
    except (KeyError, ValueError) as error:
        return web.json_response({"error": str(error)}, status=400)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("sandbox request %s %s failed", request.method, request.path)
        text = sandbox.t("sandbox.failed", _language(request))
        return web.json_response({"error": text}, status=500)


def _language(request: web.Request) -> str | None:
    return request.query.get("lang") or None


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


def _pane(request: web.Request) -> Pane:
    try:
        return pane(request.match_info["pane"])
    except KeyError:
        raise web.HTTPNotFound(text="no such pane") from None


async def _body(request: web.Request) -> JsonDict:
    if not request.can_read_body:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise ValueError("a JSON object is expected")
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


def clock_label(sandbox: Sandbox, language: str) -> str:
    """``Senin, 23 November 2026 08:00 WITA``."""
    now = sandbox.now()
    return f"{long_date(now.date(), language)} {now:%H:%M} {now.tzname()}"


def _pane_json(item: Pane) -> JsonDict:
    user = item.user
    return {
        "key": item.key,
        "kind": item.kind,
        "title": item.title,
        "chat_id": item.chat_id,
        "is_group": item.is_group,
        "user": {"id": user.id, "name": f"{user.first_name} {user.last_name}".strip()},
    }


async def _state(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    language = request.query.get("lang") or sandbox.catalogs.default_language
    language = language if language in ("id", "en") else "id"
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


# --- the chats -------------------------------------------------------------------------------
async def _messages(request: web.Request) -> web.Response:
    sandbox, chat = _sandbox(request), _pane(request)
    try:
        history = await sandbox.telegram.history(chat.chat_id)
    except EmulatorError as error:
        if "chat not found" not in error.description:
            raise
        history = []  # nobody has written in this chat yet (or the sandbox was just reset)
    return web.json_response([m for m in history if not m.get("deleted")])


async def _text(request: web.Request) -> web.Response:
    sandbox, chat, body = _sandbox(request), _pane(request), await _body(request)
    text = str(body.get("text") or "").strip()
    if not text:
        raise ValueError("empty message")
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
            raise ValueError("no file in the form")
        data, mime_type = upload.file.read(), upload.content_type
        caption, reply_to = str(form.get("caption") or ""), form.get("reply_to")
    else:
        body = await _body(request)
        data, mime_type = sample(str(body.get("sample"))).path.read_bytes(), "image/png"
        caption, reply_to = str(body.get("caption") or ""), body.get("reply_to")
    if not mime_type.startswith("image/"):
        raise ValueError("only images can be sent as a photo")
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
    return {"day": done.day.isoformat(), "date": long_date(done.day, language), **done.counts}


async def _advance(request: web.Request) -> web.Response:
    sandbox, body = _sandbox(request), await _body(request)
    days = int(body.get("days", 1))
    if not 1 <= days <= 60:
        raise ValueError("advance by 1 to 60 working days")
    language = str(body.get("lang") or sandbox.catalogs.default_language)
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
        raise web.HTTPNotFound(text="no such scenario")
    async with sandbox.lock:
        await scenarios.load(sandbox, key)
    return web.json_response({"scenario": key})
