"""Serving a stored evidence image to a browser, safely.

The type a file was declared with is the sender's word, and a file can be an image and an HTML
page at once. So the server decides the type from the bytes (an allow-list: JPEG, PNG, WebP,
GIF), refuses anything else, and tells the browser not to guess (``nosniff``) and to run nothing
even if it did (a sandboxing Content-Security-Policy). Only files inside the media folder are
served. The files themselves are redrawn without metadata when stored (runtime/media.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from core.clips import clip_kind_of, matches
from core.evidence import image_type

_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
}


def read_inside(root: Path, stored: str) -> bytes | None:
    """The bytes of the file at ``stored`` if it lies inside ``root`` (None otherwise); blocking."""
    try:
        path = Path(stored).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            return None
        return path.read_bytes()
    except (OSError, ValueError):
        return None


async def image_response(root: Path, stored: str | None, *, name: str) -> web.Response | None:
    """The image at ``stored`` (a path inside ``root``) as a response, or None when there is no
    such file or its bytes are no image of an allowed type. ``name`` is the neutral file name
    offered to the browser (without extension)."""
    if not stored:
        return None
    content = await asyncio.to_thread(read_inside, root, stored)
    kind = image_type(content) if content else None
    if content is None or kind is None:
        return None
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Content-Disposition": f'inline; filename="{name}{_EXTENSIONS[kind]}"',
        "Cache-Control": "private, max-age=600",
    }
    return web.Response(body=content, content_type=kind, headers=headers)


_CLIP_EXTENSIONS = {"audio/ogg": ".ogg", "video/mp4": ".mp4"}


async def clip_response(
    root: Path, stored: str | None, mime_type: str, *, name: str
) -> web.Response | None:
    """A stored voice note or video (``core.clips``) as a response, or None when there is no
    such file inside ``root`` or its bytes are not what its type says (OGG, MP4)."""
    kind = clip_kind_of(mime_type)
    if not stored or kind is None:
        return None
    content = await asyncio.to_thread(read_inside, root, stored)
    if content is None or not matches(kind, content):
        return None
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Content-Disposition": f'inline; filename="{name}{_CLIP_EXTENSIONS[mime_type]}"',
        "Cache-Control": "private, max-age=600",
    }
    return web.Response(body=content, content_type=mime_type, headers=headers)
