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
``GET  /pribadi/{pane}``                  a group officer's private chat with the bot (a page)
``POST /api/clock/advance``               ``{days}`` working days
``POST /api/reset``, ``POST /api/scenarios/{key}``
``POST /api/language``                    ``{lang}``: every chat speaks the page's language

A refusal is ``{"error": CODE}`` (:mod:`web.sandbox.requests`); the chats' routes are in
:mod:`web.sandbox.chats`.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from locales import load_messages
from storage.console import issue_login
from web import security_headers
from web.sandbox import chats, private, scenarios
from web.sandbox.cast import COORDINATOR_PANE, DEMO_LOCATION, PANES, Pane, pane
from web.sandbox.clockface import clock_label as write_clock
from web.sandbox.clockface import day_label
from web.sandbox.requests import (
    SANDBOX_KEY,
    JsonDict,
    RefusalError,
    body_of,
    errors,
    page_language,
    sandbox_of,
)
from web.sandbox.runtime import DayRound, Sandbox
from web.sandbox.samples import SAMPLES

STATIC_DIR = Path(__file__).parent / "static"
CONSOLE_URL_KEY = web.AppKey("console_url", str)
#: A photo from the computer may be as large as a phone photo; Telegram's own cap is 10 MB.
MAX_UPLOAD = 10 * 1024 * 1024
MAX_ADVANCE_DAYS = 60


def create_app(sandbox: Sandbox, *, console_url: str = "") -> web.Application:
    """``console_url``: where the sandbox's console listens; ``GET /konsol`` signs the trainer
    in there as the coordinator."""
    app = web.Application(client_max_size=MAX_UPLOAD + 64 * 1024, middlewares=[errors])
    security_headers.install(app)
    app[SANDBOX_KEY] = sandbox
    app[CONSOLE_URL_KEY] = console_url
    app.router.add_get("/konsol", _console)
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC_DIR)
    app.router.add_get("/api/state", _state)
    chats.add_routes(app.router)
    private.add_routes(app.router)
    app.router.add_post("/api/clock/advance", _advance)
    app.router.add_post("/api/reset", _reset)
    app.router.add_post("/api/scenarios/{key}", _scenario)
    app.router.add_post("/api/language", _language)
    return app


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
    sandbox = sandbox_of(request)
    language = page_language(request.query.get("lang") or sandbox.catalogs.default_language)
    texts = page_texts(language)
    return web.json_response(
        {
            "language": language,
            "texts": texts,
            "now": sandbox.now().isoformat(),
            "clock": clock_label(sandbox, language),
            "busy": sandbox.lock.locked(),
            "chat_language": sandbox.language,
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
    """The trainer's way into the sandbox's console: a fresh login link of the coordinator's
    officer (the page's user already controls the whole sandbox, so this gives nothing away),
    spent on opening, so the console opens signed in."""
    url = request.app[CONSOLE_URL_KEY]
    if not url:
        raise web.HTTPNotFound()
    sandbox, person = sandbox_of(request), pane(COORDINATOR_PANE).user
    async with sandbox.app.uow_factory() as uow:
        coordinator = await uow.units.coordinator()
        if coordinator is None:
            raise web.HTTPNotFound()
        token = await issue_login(
            uow.session,
            coordinator.id,
            now=sandbox.clock.wall(),  # sign-in runs on real time, whatever the sandbox's clock
            user_id=str(person.id),
            user_name=f"{person.first_name} {person.last_name}".strip(),
        )
        await uow.commit()
    raise web.HTTPSeeOther(f"{url}/langsung/{token}?lang={sandbox.language}")


# --- the trainer's controls ------------------------------------------------------------------
def _round_json(done: DayRound, language: str) -> JsonDict:
    return {"day": done.day.isoformat(), "date": day_label(done.day, language), **done.counts}


async def _advance(request: web.Request) -> web.Response:
    sandbox, body = sandbox_of(request), await body_of(request)
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
    sandbox = sandbox_of(request)
    async with sandbox.lock:
        await sandbox.reset()
    return web.json_response({"reset": True})


async def _scenario(request: web.Request) -> web.Response:
    sandbox, key = sandbox_of(request), request.match_info["key"]
    if key not in scenarios.SCENARIOS:
        raise RefusalError("no_such_scenario", 404)
    async with sandbox.lock:
        await scenarios.load(sandbox, key)
    return web.json_response({"scenario": key})


async def _language(request: web.Request) -> web.Response:
    """The page switched language: every chat of the sandbox, citizens' and groups', switches
    with it, through the bot's own language setting of each."""
    sandbox, body = sandbox_of(request), await body_of(request)
    language = body.get("lang")
    if language not in ("id", "en"):
        raise RefusalError("bad_request")
    async with sandbox.lock:
        await sandbox.set_language(language)
    return web.json_response({"language": language})
