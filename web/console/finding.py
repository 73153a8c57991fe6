"""Finding reports in the list: a tracking number typed in "Cari" goes straight to its report,
and each person's saved views (``/tampilan``): the list's filters, search and sort under a
name, shown as links above the list to the one who saved them, in the unit they signed in for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from core.tracking import TrackingCheck, parse_tracking_number
from storage.console.views import delete_view, save_view, views_of
from web.console import csrf, queries
from web.console.auth import Viewer
from web.console.context import CONFIG, SESSIONS, Refusal, viewer
from web.console.filters import KEPT, report_query

#: A view's name: short enough for a link above the list.
NAME_MAX = 80
#: A saved address longer than this is no list address.
QUERY_MAX = 2000
_PERIOD = ("periode", "dari", "sampai")


async def tracking_target(session: AsyncSession, who: Viewer, typed: str) -> str | None:
    """The page of the report whose whole tracking number ``typed`` is, when the viewer may
    see it (otherwise the words are searched as any other, and find nothing of it)."""
    parsed = parse_tracking_number(typed.strip())
    if parsed.check != TrackingCheck.VALID:
        return None
    report = await queries.report_by_tracking(session, parsed.number.replace("-", ""))
    if report is None or not who.may_see(report.unit_id):
        return None
    return f"/laporan/{report.tracking_no}"


def person_of(who: Viewer) -> str:
    """Who signed in: the Telegram id of a ``/dasbor`` link, or the name a server link gave."""
    if who.session.user_id:
        return f"tg:{who.session.user_id}"
    return f"nama:{who.session.user_name}"


def view_query(asked: Mapping[str, str]) -> str:
    """The list's address query as a view keeps it: the filters, search and sort that are set,
    and the period as asked (a shortcut stays a shortcut, "this month" moves with the month)."""
    keys = (*KEPT, *_PERIOD) if asked.get("dari") or asked.get("sampai") else (*KEPT, "periode")
    return urlencode([(k, asked[k]) for k in keys if asked.get(k, "") and k in asked])


@dataclass(frozen=True)
class SavedView:
    id: int
    name: str
    href: str


async def saved_views(session: AsyncSession, who: Viewer) -> list[SavedView]:
    found = await views_of(session, who.unit.id, person_of(who))
    return [
        SavedView(v.id, v.name, f"/laporan?{v.query}" if v.query else "/laporan") for v in found
    ]


async def _checked_form(request: web.Request) -> Mapping[str, str]:
    form = {k: str(v) for k, v in (await request.post()).items()}
    if not csrf.genuine(request, request.config_dict[CONFIG], form.get(csrf.FIELD, "")):
        raise Refusal(403, "console.error.cross_site")
    return form


async def save(request: web.Request) -> web.StreamResponse:
    """``POST /tampilan``: keep the list's address (``tampilan``) under ``nama``; the list's
    filters are checked as the list checks them (a filter it refuses is not saved)."""
    who, config = viewer(request), request.config_dict[CONFIG]
    form = await _checked_form(request)
    name = " ".join(form.get("nama", "").split())
    raw = form.get("tampilan", "")
    if not name or len(name) > NAME_MAX:
        raise Refusal(400, "console.view.bad_name", most=NAME_MAX)
    if len(raw) > QUERY_MAX:
        raise Refusal(400, "console.error.bad_value", value=raw[:40])
    asked = dict(parse_qsl(raw))
    async with request.config_dict[SESSIONS]() as session:
        await report_query(request, session, who, config, asked)
        kept = view_query(asked)
        now = config.clock()
        if not await save_view(session, who.unit.id, person_of(who), name, kept, now):
            raise Refusal(400, "console.view.too_many")
        await session.commit()
    raise web.HTTPSeeOther(f"/laporan?{kept}" if kept else "/laporan")


async def delete(request: web.Request) -> web.StreamResponse:
    """``POST /tampilan/hapus``: delete one of the viewer's own views (another's is a 404)."""
    who = viewer(request)
    form = await _checked_form(request)
    raw = form.get("id", "")
    if not raw.isdigit() or len(raw) > 12:
        raise Refusal(404, "console.view.unknown")
    async with request.config_dict[SESSIONS]() as session:
        if not await delete_view(session, who.unit.id, person_of(who), int(raw)):
            raise Refusal(404, "console.view.unknown")
        await session.commit()
    back = form.get("kembali", "")
    raise web.HTTPSeeOther(back if back.startswith("/laporan?") else "/laporan")  # the list
