"""Forms pressed only from the console's own pages (login, logout, exports).

Every browser gets a random ``aduan_csrf`` cookie (HttpOnly, SameSite=Strict) the first time it
opens a console page; each form carries ``csrf``, the HMAC of that cookie under the console's
secret. Another site can make a browser send the cookie but can neither read it nor compute the
HMAC, so its forms are refused. Where the browser says where a request comes from (``Origin``,
``Sec-Fetch-Site``), a request from another site is refused as well, whatever it carries.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from urllib.parse import urlsplit

from aiohttp import web

from web.console.config import ConsoleConfig

COOKIE = "aduan_csrf"
FIELD = "csrf"
_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")
BROWSER = web.RequestKey("csrf_browser", str)


def _mac(secret: bytes, browser: str) -> str:
    return hmac.new(secret, b"csrf:" + browser.encode(), hashlib.sha256).hexdigest()


def browser_of(request: web.Request) -> str:
    """This browser's random value: its cookie's, or a new one (sent back by :func:`keep`)."""
    found: str | None = request.get(BROWSER)
    if found is None:
        raw = request.cookies.get(COOKIE, "")
        found = raw if _SHAPE.fullmatch(raw) else secrets.token_urlsafe(24)
        request[BROWSER] = found
    return found


def token(request: web.Request, config: ConsoleConfig) -> str:
    """The value of the ``csrf`` field for this browser's forms."""
    return _mac(config.secret, browser_of(request))


def keep(request: web.Request, response: web.StreamResponse, config: ConsoleConfig) -> None:
    """Send the browser its cookie when it has none yet (or a malformed one)."""
    value = request.get(BROWSER)
    if value is None or request.cookies.get(COOKIE) == value or response.prepared:
        return
    response.set_cookie(
        COOKIE, value, httponly=True, samesite="Strict", secure=config.secure_cookie, path="/"
    )


def same_site(request: web.Request, config: ConsoleConfig) -> bool:
    """False when the browser says the request comes from another site. ``Origin: null`` says
    nothing: a browser sends it for the console's own forms, whose pages have no referrer
    (``Referrer-Policy: no-referrer``); the form token decides then."""
    fetch_site = request.headers.get("Sec-Fetch-Site", "")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin", "null")
    if origin == "null":
        return True
    return urlsplit(origin).netloc in (request.host, urlsplit(config.public_url).netloc)


def genuine(request: web.Request, config: ConsoleConfig, sent: str) -> bool:
    """Whether ``sent`` (a form's ``csrf``) is this browser's and the request comes from here."""
    raw = request.cookies.get(COOKIE, "")
    if not _SHAPE.fullmatch(raw) or not same_site(request, config):
        return False
    expected = _mac(config.secret, raw)
    return hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace"))
