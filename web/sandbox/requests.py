"""What every request of the sandbox's API shares: the sandbox it acts on, the pane it names,
its JSON body, and the refusals the page is told in its own language.

A refusal is ``{"error": CODE}`` with one of :data:`REFUSALS`; the page says it in its own
language from the catalogue's ``sandbox.error.CODE``, so no English reaches an Indonesian page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from emulator import EmulatorError
from web.sandbox.cast import Pane, pane
from web.sandbox.runtime import Sandbox

log = logging.getLogger(__name__)

SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
JsonDict = dict[str, Any]

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


#: How long a request made while the sandbox starts waits for it before a polite refusal.
STARTUP_WAIT_SECONDS = 60.0


def needs_the_bot(path: str) -> bool:
    """The page's API and its way into the console act through the running bot; the page and
    its assets do not."""
    return path.startswith("/api/") or path == "/konsol"


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refusals come back as ``{"error": CODE}`` for the page to say in its language; the
    details (in English, for whoever runs the sandbox) go to the log.

    A request made while the sandbox is still starting waits for it (the bot migrates its
    database and binds the demo groups first), and is refused politely if that takes too long.
    Nothing a request does can end the process: an unexpected error is logged and answered.
    """
    sandbox = sandbox_of(request)
    if needs_the_bot(request.path) and not sandbox.ready.is_set():
        try:
            await asyncio.wait_for(sandbox.ready.wait(), STARTUP_WAIT_SECONDS)
        except TimeoutError:
            return refused(request, "starting", 503, "the sandbox is still starting")
    try:
        return await handler(request)
    except RefusalError as refusal:
        return refused(request, refusal.code, refusal.status, refusal.code)
    except web.HTTPNotFound:
        if not request.path.startswith("/api/"):
            raise
        return refused(request, "not_found", 404, "no such address")
    except EmulatorError as error:
        code = telegram_refusal(error.description)
        return refused(request, code, 400, error.description)
    except (KeyError, ValueError) as error:
        return refused(request, "bad_request", 400, repr(error))
    except web.HTTPException:
        raise
    except Exception:
        log.exception("sandbox request %s %s failed", request.method, request.path)
        return refused(request, "failed", 500, "unexpected error (logged)")


def refused(request: web.Request, code: str, status: int, detail: str) -> web.Response:
    log.info("sandbox refused %s %s: %s (%s)", request.method, request.path, code, detail)
    return web.json_response({"error": code}, status=status)


def sandbox_of(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


def pane_of(request: web.Request) -> Pane:
    try:
        return pane(request.match_info["pane"])
    except KeyError:
        raise RefusalError("no_such_pane", 404) from None


async def body_of(request: web.Request) -> JsonDict:
    if not request.can_read_body:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise RefusalError("bad_request")
    return body


def reply_id(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", 0, "0") else None


def page_language(value: object) -> str:
    return value if value in ("id", "en") else "id"
