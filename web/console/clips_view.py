"""``/laporan/N/rekaman/K``: a report's voice note or video (``core.clips``), played on its page
by an ``<audio>``/``<video>`` element; only for a viewer who may see the report (another unit's
is refused as the report itself is), and written to the audit log like a photo."""

from __future__ import annotations

import re

from aiohttp import web

from web.console import queries
from web.console.audit import AuditAction, record
from web.console.context import CONFIG, SESSIONS, Refusal, viewer
from web.console.report_view import visible_report
from web.media import clip_response

_NUMBER = re.compile(r"[0-9]{1,4}")


async def clip(request: web.Request) -> web.StreamResponse:
    who = viewer(request)
    raw_n = request.match_info["n"]
    async with request.config_dict[SESSIONS]() as session:
        report = await visible_report(request, session, who)
        if not _NUMBER.fullmatch(raw_n):
            raise Refusal(404, "console.error.http_404")
        found = await queries.photo(session, report.id, int(raw_n))
        record(session, request, AuditAction.PHOTO, f"{report.tracking_no} {int(raw_n)}")
        await session.commit()
    config = request.config_dict[CONFIG]
    served = None
    if found is not None:
        name = f"laporan-{report.tracking_no}-rekaman-{raw_n}"
        served = await clip_response(
            config.media_dir, found.stored_path, found.mime_type, name=name
        )
    if served is None:
        raise Refusal(404, "console.error.photo_missing")
    return served


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/laporan/{tracking}/rekaman/{n}", clip)
