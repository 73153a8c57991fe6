"""The headers every answer of the web processes carries (console, Open311 API, sandbox).

A strict Content-Security-Policy (scripts and styles only from the server's own files, no
framing, no plugins, no ``<base>``), no MIME sniffing, no framing for older browsers, and no
``Referer``: a login link carries its token in the address, which must not leak to another site.

Set from ``on_response_prepare``, so that every answer gets them, also one a handler streams
(the CSV export), a static file, a sub-application's, and an error page.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

#: Other origins an application's pages may load images from (the console's map tiles).
IMAGE_SOURCES = web.AppKey("image_sources", tuple[str, ...])


def policy(image_sources: Sequence[str] = ()) -> str:
    """The Content-Security-Policy; ``image_sources`` are added to ``img-src`` only."""
    images = " ".join(("'self'", "data:", *image_sources))
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "media-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


POLICY = policy()

HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


async def _add_headers(request: web.Request, response: web.StreamResponse) -> None:
    # A handler that set a stricter header of its own keeps it (a served photo is sandboxed).
    images = request.config_dict.get(IMAGE_SOURCES, ())
    for name, value in HEADERS.items():
        if images and name == "Content-Security-Policy":
            value = policy(images)
        response.headers.setdefault(name, value)


def install(app: web.Application, *, image_sources: Sequence[str] = ()) -> None:
    """Give every answer of ``app`` (and of the applications mounted in it) the headers;
    ``image_sources``: origins its pages may also show images from (nothing else)."""
    if image_sources:
        app[IMAGE_SOURCES] = tuple(image_sources)
    if _add_headers not in app.on_response_prepare:
        app.on_response_prepare.append(_add_headers)
