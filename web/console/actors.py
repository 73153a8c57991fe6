"""Petugas (``/petugas``): who acted how often in a period, from the timeline's steps. One row per
officer and the unit they acted for: verifications, questions, answers to the reporter,
follow-ups, finishes, transfers and archivings; the coordinator sees every unit's officers, a
unit those of the units in its reach (a kecamatan its desa's too), as every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from aiohttp import web

from core.actors import actor_words
from core.timeline import EventKind
from storage import console as store
from web.console import queries
from web.console.context import CONFIG, SESSIONS, translator, viewer
from web.console.filters import period_of
from web.console.templating import page

#: The steps counted, in the order of the columns: a report's way through a unit.
COUNTED = (
    EventKind.VERIFIED,
    EventKind.ASKED,
    EventKind.ANSWERED,
    EventKind.FOLLOWED_UP,
    EventKind.DONE,
    EventKind.TRANSFERRED,
    EventKind.ARCHIVED,
)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/petugas", actors)


@dataclass(frozen=True)
class ActorLine:
    """An officer, the unit they acted for, their steps in :data:`COUNTED` order and in all."""

    name: str
    unit: str
    counts: tuple[int, ...]
    total: int


async def actors(request: web.Request) -> web.Response:
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    period = period_of(request, config)
    # The period's local days, as the instants the timeline stores.
    start = datetime.combine(period.first, time.min, config.timezone)
    end = datetime.combine(period.last + timedelta(days=1), time.min, config.timezone)
    async with request.config_dict[SESSIONS]() as session:
        found = await store.actor_counts(session, who.visible, start, end, COUNTED)
        known = await queries.units(session)
    lines = []
    for (label, unit_id), kinds in found.items():
        words = actor_words(label)
        counts = tuple(kinds.get(kind, 0) for kind in COUNTED)
        unit = known.get(unit_id or 0)
        lines.append(
            ActorLine(
                tr.t(words.key) if words.key else words.name,
                unit.name if unit else "-",
                counts,
                sum(counts),
            )
        )
    lines.sort(key=lambda line: (-line.total, line.name.lower(), line.unit))
    title = tr.t(
        "console.actors.title", first=period.first.isoformat(), last=period.last.isoformat()
    )
    return page(
        request,
        "actors.html",
        title,
        period=period,
        heads=[tr.t(f"console.actors.{kind.value}") for kind in COUNTED],
        lines=lines,
    )
