"""What every console page shares: the app's keys, the viewer, the translator, the page frame
and the refusal that becomes a clear 4xx page."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from locales import Translator
from storage import console as store
from web.console import csrf
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.html import esc, layout

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


def render(request: web.Request, title: str, body: str, *, status: int = 200) -> web.Response:
    tr = translator(request)
    who: Viewer | None = request.get(VIEWER)
    nav: list[tuple[str, str]] = []
    user = ""
    if who is not None:
        nav = [
            ("/", tr.t("console.nav.overview")),
            ("/laporan", tr.t("console.nav.reports")),
            ("/wilayah", tr.t("console.nav.areas")),
        ]
        if who.is_coordinator:
            nav.append(("/audit", tr.t("console.nav.audit")))
        user = f"{who.session.user_name or tr.t('console.server_admin')} · {who.unit.name}"
    form_token = csrf.token(request, request.config_dict[CONFIG])
    html = layout(tr, title, body, nav=nav, user=user, path=request.path, csrf=form_token)
    return web.Response(text=html, content_type="text/html", status=status)


def error_page(request: web.Request, status: int, key: str, **values: object) -> web.Response:
    tr = translator(request)
    text = tr.t(key, **values)
    body = f'<div class="notice error"><p>{esc(text)}</p></div>'
    return render(request, tr.t(f"console.status_title.{status}"), body, status=status)


def client_address(request: web.Request) -> str:
    """The address the request came from (a reverse proxy's own, unless it is trusted)."""
    return (request.remote or "")[:64]


def record(
    session: AsyncSession,
    request: web.Request,
    action: str,
    subject: str = "",
    *,
    who: Viewer | None = None,
) -> None:
    """An audit entry: what, by whom (``who``, else the signed-in viewer), in which session and
    from which address (the caller commits)."""
    who = who or request.get(VIEWER)
    store.audit(
        session,
        now=request.config_dict[CONFIG].clock(),
        action=action,
        subject=subject,
        unit_id=who.unit.id if who else None,
        user_id=who.session.user_id if who else "",
        user_name=who.session.user_name if who else "",
        session_id=who.session.id if who else None,
        address=client_address(request),
    )
