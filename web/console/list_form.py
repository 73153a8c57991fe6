"""The report list's filter form, shared by the list (``/laporan``) and its map (``/peta``): the
filters read and checked once (:func:`checked`) and the form's choices (:func:`choices`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from core.lifecycle import ReportStatus, ReportType
from locales import Translator
from storage.console import ORDERS, ReportQuery
from storage.models import Unit
from web.console.assigning import assignee_choices
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.context import Refusal, translator
from web.console.figures import url
from web.console.filters import KEPT, FilterChoice, area_of, report_query
from web.console.unit_choices import unit_groups

Options = list[tuple[str, str]]


@dataclass(frozen=True)
class Checked:
    """The list's filters: the query (None when one could not be applied), the values kept in
    links, and otherwise why (``problem``) with the places a name could mean (``choices``)."""

    query: ReportQuery | None
    kept: dict[str, str]
    problem: str = ""
    choices: Options = field(default_factory=list)
    area: str = ""


async def checked(
    request: web.Request, session: AsyncSession, who: Viewer, config: ConsoleConfig, path: str
) -> Checked:
    """The address's filters; one that cannot be applied (a 400) is said, not raised, so that
    the page shows its form again with what was typed. A 403 (another unit) is raised."""
    tr = translator(request)
    try:
        query, kept, _period = await report_query(request, session, who, config)
    except Refusal as refusal:
        if refusal.status_code != 400:
            raise
        kept = {k: request.query.get(k, "") for k in (*KEPT, "dari", "sampai")}
        links: Options = []
        if isinstance(refusal, FilterChoice):
            links = [(url(path, {**kept, "wilayah": code}), name) for code, name in refusal.choices]
        return Checked(None, kept, tr.t(refusal.key, **refusal.values), links)
    area = ""
    if kept["wilayah"].strip():
        found = area_of(config.regions, kept["wilayah"])
        area = tr.t("console.filter.area_taken", name=found.name, code=found.code)
    return Checked(query, kept, area=area)


async def choices(
    session: AsyncSession,
    tr: Translator,
    config: ConsoleConfig,
    who: Viewer,
    units: dict[int, Unit],
) -> dict[str, object]:
    """The form's drop-downs: status, class, category, the units the viewer may see, who
    handles reports (the viewer's), order."""
    every_person = tr.t("console.filter.all")
    people = await assignee_choices(session, who, every_person, tr.t("console.assignee.none"))
    reachable = sorted(
        (u for u in units.values() if who.may_see(u.id)), key=lambda u: (u.kind, u.name)
    )
    every = ("", tr.t("console.filter.all"))
    name = "name_en" if tr.language == "en" else "name_id"
    return {
        "statuses": [every, *((s.value, tr.t(f"console.status.{s.value}")) for s in ReportStatus)],
        "kinds": [every, *((t.value, tr.t(f"console.type.{t.value}")) for t in ReportType)],
        "categories": [every, *((c.code, getattr(c, name)) for c in config.categories)],
        "unit_groups": unit_groups(tr, config, reachable),
        "assignees": people,
        "orders": [(key, tr.t(f"console.sort.{key or 'baru'}")) for key in ORDERS],
    }
