"""The console's aiohttp application: its middlewares (language, sign-in, errors), the sign-in
and sign-out pages, and the routes of :mod:`web.console.pages`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from aiohttp import web

from storage.console import open_session, redeem_login
from web import security_headers
from web.console import (
    actors,
    bodies,
    clips_view,
    csrf,
    export_route,
    holds,
    pages,
    posters,
    public_areas,
    public_page,
    public_report,
    ready_answers,
    slip,
    summary,
    tables,
)
from web.console.audit import AuditAction, record
from web.console.auth import COOKIE, Viewer, set_cookie, viewer_of
from web.console.config import ConsoleConfig
from web.console.context import (
    CONFIG,
    PUBLIC,
    SESSIONS,
    SUBAPPS,
    TRANSLATOR,
    VIEWER,
    Refusal,
    SessionFactory,
    translator,
)
from web.console.templating import error_page, page
from web.console.tiles import tile_origin

log = logging.getLogger(__name__)

LANG_COOKIE = "aduan_bahasa"
STATIC_DIR = Path(__file__).parent / "static"
SIGN_IN_PATHS = ("/masuk/", "/langsung/", "/static/", "/keluar")
#: Served to anyone (off with ``PUBLIC_PAGE_ENABLED=false``: then a 404, not a sign-in page).
OPEN_PATHS = (*SIGN_IN_PATHS, public_page.PREFIX)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _context(request: web.Request, handler: Handler) -> web.StreamResponse:
    config = request.config_dict[CONFIG]
    asked = request.query.get("lang", "")
    if asked not in ("id", "en"):
        asked = ""
    language = asked or request.cookies.get(LANG_COOKIE, "") or config.catalogs.default_language
    request[TRANSLATOR] = config.catalogs.get(language)
    if request.path.startswith(request.config_dict[SUBAPPS]):
        return await handler(request)
    try:
        if not request.path.startswith(request.config_dict[PUBLIC]):
            async with request.config_dict[SESSIONS]() as session:
                found = await viewer_of(request, session, config)
            if found is None:
                raise Refusal(401, "console.error.signed_out")
            request[VIEWER] = found
        response = await handler(request)
    except Refusal as refusal:
        response = error_page(request, refusal.status_code, refusal.key, **refusal.values)
    except web.HTTPException as error:
        if error.status_code < 400:
            raise
        status = error.status_code if error.status_code in (404, 405) else 400
        response = error_page(request, status, f"console.error.http_{status}")
    except Exception:
        log.exception("console page failed: %s", request.path)
        response = error_page(request, 500, "console.error.http_500")
    if asked and not response.prepared:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, samesite="Lax", path="/")
    csrf.keep(request, response, config)
    return response


async def _login_form(request: web.Request) -> web.Response:
    tr = translator(request)
    token = request.match_info["token"]
    return page(request, "login.html", tr.t("console.login.title"), token=token)


async def _login(request: web.Request) -> web.StreamResponse:
    """Spend the link (a POST, so a chat app's link preview cannot spend it) and sign in; only
    the button of the console's own page does (another site's form is refused, nothing spent)."""
    config = request.config_dict[CONFIG]
    form = await request.post()
    if not csrf.genuine(request, config, str(form.get(csrf.FIELD, ""))):
        async with request.config_dict[SESSIONS]() as session:
            record(session, request, AuditAction.LOGIN_REFUSED, "cross_site")
            await session.commit()
        raise Refusal(403, "console.error.cross_site")
    return await _sign_in(request)


async def _login_direct(request: web.Request) -> web.StreamResponse:
    """The sandbox's Konsol button: the link is spent on opening (``direct_sign_in``)."""
    if not request.config_dict[CONFIG].direct_sign_in:
        raise web.HTTPNotFound()
    return await _sign_in(request)


async def _sign_in(request: web.Request) -> web.StreamResponse:
    """Spend the link of the request's address, open a session and go to the overview."""
    config = request.config_dict[CONFIG]
    now = config.sign_in_now()
    async with request.config_dict[SESSIONS]() as session:
        login, reason = await redeem_login(session, request.match_info["token"], now=now)
        if login is None:
            record(session, request, AuditAction.LOGIN_REFUSED, reason)
            await session.commit()
            raise Refusal(403, f"console.login.{reason}")
        token = await open_session(session, login, now=now, ttl=config.session_ttl)
        opened = await viewer_of(request, session, config, token=token)
        record(session, request, AuditAction.LOGIN, who=opened)
        await session.commit()
    # A language asked for on the link (the sandbox's page passes its own) is kept.
    asked = request.query.get("lang", "")
    response = web.HTTPSeeOther(f"/?lang={asked}" if asked in ("id", "en") else "/")
    set_cookie(response, config, token)
    raise response


async def _logout(request: web.Request) -> web.Response:
    """End the session on the server (not only the cookie); only from the console's own form."""
    config = request.config_dict[CONFIG]
    now = config.sign_in_now()
    form = await request.post()
    if not csrf.genuine(request, config, str(form.get(csrf.FIELD, ""))):
        raise Refusal(403, "console.error.cross_site")
    async with request.config_dict[SESSIONS]() as session:
        found: Viewer | None = await viewer_of(request, session, config)
        if found is not None:
            live = await session.merge(found.session)
            live.ended_at = now
            record(session, request, AuditAction.LOGOUT, who=found)
            await session.commit()
    tr = translator(request)
    done = tr.t("console.logout.done")
    response = page(request, "notice.html", tr.t("console.logout.title"), text=done)
    response.del_cookie(COOKIE, path="/")
    return response


def build_console_app(
    config: ConsoleConfig,
    sessions: SessionFactory,
    *,
    extra_subapps: Sequence[tuple[str, web.Application]] = (),
) -> web.Application:
    """The console as one aiohttp application; ``extra_subapps`` are mounted at their prefixes
    (e.g. ``("/open311/v2/", open311_app)``), served without the console's sign-in and left to
    answer their own errors."""
    app = web.Application(middlewares=[_context])
    origin = tile_origin(config.map_tiles)
    security_headers.install(app, image_sources=(origin,) if origin else ())
    app[CONFIG] = config
    app[SESSIONS] = sessions
    app[SUBAPPS] = tuple(prefix for prefix, _ in extra_subapps)
    app[PUBLIC] = (*OPEN_PATHS, *app[SUBAPPS])
    app.router.add_get("/masuk/{token}", _login_form)
    app.router.add_post("/masuk/{token}", _login)
    app.router.add_get("/langsung/{token}", _login_direct)
    app.router.add_post("/keluar", _logout)
    app.router.add_get("/ekspor", export_route.export)
    app.router.add_post("/ekspor", export_route.export)
    app.router.add_static("/static/", STATIC_DIR)
    pages.add_routes(app.router)
    clips_view.add_routes(app.router)
    holds.add_routes(app.router)
    tables.add_routes(app.router)
    actors.add_routes(app.router)
    summary.add_routes(app.router)
    ready_answers.add_routes(app.router)
    bodies.add_routes(app.router)
    slip.add_routes(app.router)
    posters.add_routes(app.router)
    if config.public_page:
        public_page.install(app)
        public_areas.add_routes(app.router)
        public_report.add_routes(app.router)
    for prefix, subapp in extra_subapps:
        app.add_subapp(prefix, subapp)
    return app
