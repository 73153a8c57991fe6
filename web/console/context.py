"""What every console page shares: the app's keys, the viewer, the translator and the refusal
that becomes a clear 4xx page."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from locales import Translator
from web.console.auth import Viewer
from web.console.config import ConsoleConfig

CONFIG = web.AppKey("config", ConsoleConfig)
#: Anything that opens a database session: an ``async_sessionmaker``, or the sandbox's lookup of
#: its current bot's engine (a reset replaces the database).
SessionFactory = Callable[[], AsyncSession]
SESSIONS: web.AppKey[SessionFactory] = web.AppKey("sessions")
#: Path prefixes served without signing in (sign-in pages, stylesheet, mounted sub-apps).
PUBLIC = web.AppKey("public", tuple[str, ...])
#: Prefixes of mounted sub-applications: they answer their own errors (an API's are not pages).
SUBAPPS = web.AppKey("subapps", tuple[str, ...])
TRANSLATOR = web.RequestKey("translator", Translator)
VIEWER = web.RequestKey("viewer", Viewer)


class Refusal(Exception):  # noqa: N818 (a refusal is an answer, not a failure)
    """A 4xx answered with a page that says why, in the viewer's language."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status_code = status
        self.key = key
        self.values = values


def translator(request: web.Request) -> Translator:
    return request[TRANSLATOR]


def viewer(request: web.Request) -> Viewer:
    found: Viewer | None = request.get(VIEWER)
    if found is None:
        raise Refusal(401, "console.error.signed_out")
    return found
