"""``/laporan/N/kecil``: the small picture of a report's first photo in the list, only for a
viewer who may see the report (others get the 403 page, audited as a refused report). Made once
with Pillow (``storage.media_store.ThumbnailStore``), from the photo's pixels alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web
from sqlalchemy import select

from core.clips import CLIP_MIME_TYPES
from storage.media_store import ThumbnailStore
from storage.models import ReportPhoto
from web.console.context import CONFIG, SESSIONS, Refusal, viewer
from web.console.report_view import visible_report
from web.media import read_inside


def _made(root: Path, stored: str) -> bytes | None:
    store = ThumbnailStore(root)
    kept = store.get(stored, None)
    if kept is not None:
        return kept
    return store.get(stored, read_inside(root, stored))


async def thumbnail(request: web.Request) -> web.Response:
    who = viewer(request)
    async with request.config_dict[SESSIONS]() as session:
        report = await visible_report(request, session, who)
        stored = await session.scalar(
            select(ReportPhoto.stored_path)
            .where(
                ReportPhoto.report_id == report.id,
                ReportPhoto.stored_path != "",
                ReportPhoto.mime_type.not_in(CLIP_MIME_TYPES),
            )
            .order_by(ReportPhoto.position)
            .limit(1)
        )
    root = request.config_dict[CONFIG].media_dir
    made = await asyncio.to_thread(_made, root, stored) if stored else None
    if made is None:
        raise Refusal(404, "console.error.photo_missing")
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, max-age=600",
    }
    return web.Response(body=made, content_type="image/jpeg", headers=headers)
