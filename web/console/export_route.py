"""``/ekspor``: the console's files (CSV, XLSX, SP4N-LAPOR!, rekap), written in the viewer's name.

An export is audited, so it happens only when the viewer's own page asks for it: the form
carries the browser's token (:mod:`web.console.csrf`). A request without it (another site's
link or form, an old bookmark) gets a page with the button that exports, and nothing is written
or audited.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import date

from aiohttp import web

from storage.console import ReportQuery
from storage.models import Unit
from web.console import csrf, exports, lapor_zip, queries
from web.console.audit import AuditAction, record
from web.console.context import CONFIG, SESSIONS, Refusal, translator, viewer
from web.console.filters import period_of, report_query
from web.console.templating import page


async def _asked(request: web.Request) -> tuple[dict[str, str], str]:
    """The export's fields (a form's, or the address's) and the form token sent with them."""
    fields = {k: str(v) for k, v in request.query.items()}
    if request.method == "POST":
        fields.update({k: str(v) for k, v in (await request.post()).items()})
    return fields, fields.pop(csrf.FIELD, "")


async def export(request: web.Request) -> web.StreamResponse:
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    fields, sent = await _asked(request)
    kind = fields.get("format", "")
    if kind not in (*exports.FORMATS, lapor_zip.ZIP_FORMAT):
        raise Refusal(400, "console.error.bad_value", value=kind[:20])
    period_of(request, config, fields)  # a bad period is a 400 before anything is offered
    if not csrf.genuine(request, config, sent):
        return page(request, "export.html", tr.t("console.export.title"), kept=fields, kind=kind)
    async with request.config_dict[SESSIONS]() as session:
        query, kept, period = await report_query(request, session, who, config, fields)
        units = await queries.units(session)
        subject = f"{kind} " + " ".join(f"{k}={v}" for k, v in kept.items() if v)
        record(session, request, AuditAction.EXPORT, subject)
        await session.commit()
    if kind == lapor_zip.ZIP_FORMAT:
        return await _zip(request, query, units, (period.first, period.last))
    name = exports.file_name(kind, period.first, period.last)
    if kind in exports.CSV_SEPARATORS:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": f'attachment; filename="{name}"',
            }
        )
        await response.prepare(request)
        batches = exports.row_batches(request.config_dict[SESSIONS], query, units, config, tr)
        separator = exports.CSV_SEPARATORS[kind]
        async for chunk in exports.csv_chunks(tr, batches, separator):
            await response.write(chunk)
        await response.write_eof()
        return response
    data = await exports.xlsx_export(
        kind, tr, config, request.config_dict[SESSIONS], query, units, period.first, period.last
    )
    return web.Response(
        body=data,
        headers={
            "Content-Type": exports.XLSX_TYPE,
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


async def _zip(
    request: web.Request,
    query: ReportQuery,
    units: dict[int, Unit],
    period: tuple[date, date],
) -> web.StreamResponse:
    """The SP4N-LAPOR! sheet and its photos as one ZIP (:mod:`web.console.lapor_zip`): written
    whole to a temporary file first (a selection too large is refused before anything is sent),
    then sent from it."""
    tr, config = translator(request), request.config_dict[CONFIG]
    sessions = request.config_dict[SESSIONS]
    with await asyncio.to_thread(tempfile.TemporaryFile) as file:
        await lapor_zip.lapor_zip(tr, config, sessions, query, units, period, file)
        size = await asyncio.to_thread(lambda: os.fstat(file.fileno()).st_size)
        response = web.StreamResponse(
            headers={
                "Content-Type": lapor_zip.ZIP_TYPE,
                "Content-Disposition": f'attachment; filename="{lapor_zip.zip_name(*period)}"',
                "Content-Length": str(size),
            }
        )
        await response.prepare(request)
        async for piece in lapor_zip.chunks(file):
            await response.write(piece)
        await response.write_eof()
        return response
