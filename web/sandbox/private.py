"""An officer's private chat with the bot, where ``/dasbor`` sends the console's login link.

In Telegram an admin who sends ``/dasbor`` in the unit's group gets the link in their private
chat with the bot. The sandbox opens that chat for each demo officer when it binds the groups (as
an officer who pressed Start), and the page shows it, read-only, at ``GET /pribadi/PANE``: the
bot's messages there, web links clickable, reloaded every few seconds. Nothing is typed there;
the conversations stay in the five panes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from emulator.chat import text_of
from web.sandbox.chats import chat_history
from web.sandbox.clockface import clock_label
from web.sandbox.requests import JsonDict, page_language, pane_of, sandbox_of

TEMPLATES = Path(__file__).parent / "templates"
ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
)
WEB_LINK = re.compile(r"https?://\S+")
#: The page reloads itself, as a chat shows new messages: a link sent after it opened appears.
REFRESH_SECONDS = 3


@dataclass(frozen=True)
class Part:
    """A piece of a message's text; ``link``: a web address, shown as a link."""

    text: str
    link: bool = False


def parts_of(text: str) -> list[Part]:
    """``text`` cut into plain pieces and web links."""
    found: list[Part] = []
    start = 0
    for match in WEB_LINK.finditer(text):
        found += [Part(text[start : match.start()]), Part(match.group(), link=True)]
        start = match.end()
    return [*found, Part(text[start:])]


def _moment(message: JsonDict, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(int(message.get("date") or 0), zone)


async def private_chat(request: web.Request) -> web.Response:
    sandbox, chat = sandbox_of(request), pane_of(request)
    if not chat.is_group:
        raise web.HTTPNotFound()
    language = page_language(request.query.get("lang") or sandbox.catalogs.default_language)
    user, zone = chat.user, sandbox.timezone
    name = f"{user.first_name} {user.last_name}".strip()
    messages = [
        {"shown": clock_label(_moment(m, zone), language), "parts": parts_of(text_of(m))}
        for m in await chat_history(sandbox, user.id)
        if m.get("from_bot") and not m.get("deleted")
    ]
    html = ENVIRONMENT.get_template("private.html").render(
        language=language,
        title=sandbox.t("sandbox.private.title", language, name=name),
        note=sandbox.t("sandbox.private.note", language),
        empty=sandbox.t("sandbox.private.empty", language),
        messages=messages,
        refresh_seconds=REFRESH_SECONDS,
    )
    return web.Response(text=html, content_type="text/html")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/pribadi/{pane}", private_chat)
