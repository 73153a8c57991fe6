"""The console's pages: overview with the unit table, the report list, a report, its photos,
the areas and the audit log. Each handler checks what the viewer may see before it reads
anything (:mod:`web.console.filters`), reads through :mod:`web.console.queries` and renders a
template (:mod:`web.console.templating`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web
from babel.numbers import format_decimal

from core.performance import Indicators
from locales import Translator
from storage import console as store
from storage.models import Unit
from web.console import bulk, exports, finding, list_form, map_view, processing, queries
from web.console.audit import AuditAction
from web.console.auth import Viewer
from web.console.comparison import headlines
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, Refusal, translator, viewer
from web.console.figures import bars, share_bars, url
from web.console.filters import (
    Period,
    page_number,
    period_of,
    period_query,
)
from web.console.lapor_zip import ZIP_FORMAT
from web.console.periods import previous
from web.console.report_view import act_on_report, photo, report_page
from web.console.rows import ReportRow
from web.console.summary_data import category_names
from web.console.templating import page
from web.console.thumbnails import thumbnail

#: A report has a handful of photos; a number longer than this is no photo (nor an SQL integer).
_PHOTO_NUMBER = re.compile(r"[0-9]{1,4}")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", overview)
    router.add_get("/laporan", report_list)
    router.add_get("/laporan/{tracking}", report_page)
    router.add_get("/laporan/{tracking}/foto/{n}", photo)
    router.add_post("/laporan/{tracking}/tindakan", act_on_report)
    router.add_get("/audit", audit_log)
    router.add_get("/wilayah", areas)
    map_view.add_routes(router)
    router.add_post("/tampilan", finding.save)
    router.add_post("/tampilan/hapus", finding.delete)
    router.add_get("/laporan/{tracking}/kecil", thumbnail)
    bulk.add_routes(router)
    processing.add_routes(router)


# --- overview and unit table ----------------------------------------------------------------

UNIT_SORTS = {
    "nama": lambda r: r[0].name.lower(),
    "masuk": lambda r: -r[1].received,
    "verifikasi": lambda r: r[1].verify_on_time if r[1].verify_on_time is not None else 2,
    "tindaklanjut": lambda r: r[1].follow_up_on_time if r[1].follow_up_on_time is not None else 2,
    "terlambat": lambda r: -r[1].late_now,
    "nilai": lambda r: -(r[1].rating_average or 0),
}
#: The unit table's columns: the sort key a heading links to ("" for none) and its words.
UNIT_HEADS = (
    ("nama", "console.unit.name"),
    ("masuk", "console.ind.received"),
    ("verifikasi", "console.ind.verify_on_time"),
    ("tindaklanjut", "console.ind.follow_up_on_time"),
    ("", "console.ind.finish_on_time"),
    ("terlambat", "console.ind.late_now"),
    ("", "console.ind.reopened"),
    ("nilai", "console.ind.rating_average"),
    ("", "console.ind.rating_good"),
)


async def overview(request: web.Request) -> web.Response:
    """Ringkasan and kinerja unit for a period (this month by default)."""
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    period = period_of(request, config)
    today = config.clock().astimezone(config.timezone).date()
    async with request.config_dict[SESSIONS]() as session:
        found = await queries.overview(session, period_query(who, period), config, today)
        earlier = Period(*previous(period.first, period.last), "custom")
        before = await queries.headline_figures(session, period_query(who, earlier), today)
        aged = await queries.ageing(session, who.visible, config, today)
        rated = await store.rated_with_comments(session, period_query(who, period), limit=20)
        known = await queries.units(session)
    ind = found.total
    by_category = category_names(config, tr, found.categories)
    weeks = [
        (
            tr.t("console.overview.week", day=monday.isoformat())
            + " · "
            + ", ".join(f"{tr.t(f'console.type.{k}')} {n}" for k, n in sorted(w.by_type.items())),
            w.received,
        )
        for monday, w in found.weeks
    ]
    on_time = [
        (tr.t("console.overview.week", day=monday.isoformat()), w.verify_on_time)
        for monday, w in found.weeks
    ]
    sort = request.query.get("urut", "masuk")
    units = sorted(found.by_unit, key=UNIT_SORTS.get(sort, UNIT_SORTS["masuk"]))
    title = tr.t(
        "console.overview.title", first=period.first.isoformat(), last=period.last.isoformat()
    )
    return page(
        request,
        "overview.html",
        title,
        period=period,
        earlier=earlier,
        earlier_href=url("/", earlier.dates),
        cards=headlines(ind, before, tr),
        types=bars([(tr.t(f"console.type.{k}"), n) for k, n in sorted(ind.by_type.items())]),
        statuses=bars([(tr.t(f"console.status.{k}"), n) for k, n in sorted(ind.by_status.items())]),
        categories=bars(sorted(by_category.items(), key=lambda kv: -kv[1])),
        weeks=bars(weeks),
        on_time=share_bars(on_time),
        comments=[
            Comment(
                f"/laporan/{r.tracking_no}",
                r.tracking_no,
                known[r.unit_id].name if r.unit_id in known else "",
                r.rating or 0,
                r.rating_comment,
            )
            for r in rated
        ],
        ages=bars(
            [
                (
                    tr.t("console.age.beyond", days=first - 1)
                    if last is None
                    else tr.t("console.age.span", first=first, last=last),
                    n,
                )
                for (first, last), n in zip(queries.AGES, aged, strict=True)
            ]
        ),
        heads=[
            (url("/", {**period.dates, "urut": key}) if key else "", text)
            for key, text in UNIT_HEADS
        ],
        units=[
            UnitLine(url("/laporan", {**period.dates, "unit": unit.code}), unit, unit_ind)
            for unit, unit_ind in units
        ],
    )


@dataclass(frozen=True)
class Comment:
    """What a citizen wrote with their rating: never who they are."""

    href: str
    number: str
    unit: str
    rating: int
    text: str


@dataclass(frozen=True)
class UnitLine:
    """A row of the unit table: the link to the unit's reports, the unit, its indicators."""

    href: str
    unit: Unit
    ind: Indicators


# --- report list ----------------------------------------------------------------------------


def _pager(
    tr: Translator,
    path: str,
    kept: dict[str, str],
    number_: int,
    total: int,
    size: int,
    *,
    back: bool = True,
    more: bool = False,
) -> tuple[str, list[tuple[str, str]]]:
    """The words "page n of m" and the links to the pages before (if ``back``) and after;
    ``more``: ``total`` is a search's count cut at its cap, "more than" it."""
    pages = max((total + size - 1) // size, 1)
    links = []
    if back and number_ > 1:
        links.append((url(path, {**kept, "hal": number_ - 1}), tr.t("console.prev")))
    if number_ < pages:
        links.append((url(path, {**kept, "hal": number_ + 1}), tr.t("console.next")))
    if more:
        cap = format_decimal(total - 1, locale=tr.language)
        return tr.t("console.page_more", page=number_, total=cap), links
    return tr.t("console.page", page=number_, pages=pages, total=total), links


async def report_list(request: web.Request) -> web.Response:
    """The reports in the period, filtered. A filter that cannot be applied shows the same form
    again with what was typed, why, and (for a place name that fits several) each as a link."""
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    number_ = page_number(request)
    size = config.page_size
    rows: list[ReportRow] = []
    total = 0
    async with request.config_dict[SESSIONS]() as session:
        jump = await finding.tracking_target(session, who, request.query.get("cari", ""))
        if jump is not None:
            raise web.HTTPSeeOther(jump)
        views = await finding.saved_views(session, who)
        found = await list_form.checked(request, session, who, config, "/laporan")
        if found.query is None:
            units = await queries.units(session)
        else:
            rows, total, units = await queries.report_rows(
                session, found.query, config, tr.language, offset=(number_ - 1) * size, limit=size
            )
        form = await list_form.choices(session, tr, config, who, units)
        picks = await bulk.list_form(request, session, config, units, [r.report for r in rows])
    more = found.query is not None and store.capped(found.query, total)
    text, links = _pager(tr, "/laporan", found.kept, number_, total, size, more=more)
    return page(
        request,
        "list.html",
        tr.t("console.list.title"),
        status=400 if found.problem else 200,
        kept=found.kept,
        problem=found.problem,
        choices=found.choices,
        area=found.area,
        form=form,
        map_href=url("/peta", found.kept),
        rows=rows,
        views=views,
        here=request.path_qs,
        view_query=finding.view_query(request.query),
        page_text=text,
        pages=links,
        formats=(*exports.FORMATS, ZIP_FORMAT),
        pick_all=url("/laporan", {**found.kept, "hal": number_, bulk.PICK: "semua"}),
        pick_none=url("/laporan", {**found.kept, "hal": number_}),
        **picks,
    )


# --- areas ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A kecamatan or desa row: its name, the link to its reports, filed and still open."""

    name: str
    href: str
    total: int
    still_open: int = 0
    desa: tuple[Place, ...] = ()


def _area_tree(config: ConsoleConfig, who: Viewer) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(kecamatan code, name, [(desa code, name)]) the viewer's unit covers: a kecamatan or a
    desa unit its own area, the coordinator and OPDs the whole region."""
    regions = config.regions
    area = who.unit.area_code or ""
    region = regions.get(area) if area else None
    if region is not None and region.level >= 4:
        parent = regions.get(area.rsplit(".", 1)[0])
        return [
            (parent.code if parent else "", parent.name if parent else "", [(area, region.name)])
        ]
    if region is not None and region.level == 3:
        kecamatan = [region]
    else:
        kecamatan = regions.descendants(regions.root.code, 3)
    return [
        (k.code, k.name, [(d.code, d.name) for d in regions.children(k.code)]) for k in kecamatan
    ]


def _places(
    config: ConsoleConfig,
    who: Viewer,
    period: Period,
    counts: dict[str, tuple[int, int]],
    *,
    every: bool,
) -> tuple[list[Place], int]:
    """The kecamatan with their desa, busiest first (then by name), and how many desa were left
    out: without ``every``, a desa with no report in the period (a kecamatan keeps its row, with
    its 0, so that a quiet kecamatan is still seen)."""

    def href(code: str) -> str:
        return url("/laporan", {**period.dates, "wilayah": code})

    def busiest(place: Place) -> tuple[int, int, str]:
        return (-place.total, -place.still_open, place.name)

    tree, hidden = [], 0
    for kec_code, kec_name, desa in _area_tree(config, who):
        inside = [(n, o) for code, (n, o) in counts.items() if code.startswith(kec_code + ".")]
        own = counts.get(kec_code, (0, 0))
        rows = [Place(name, href(code), *counts.get(code, (0, 0))) for code, name in desa]
        shown = sorted((r for r in rows if every or r.total), key=busiest)
        hidden += len(rows) - len(shown)
        total = sum(n for n, _ in inside) + own[0]
        still_open = sum(o for _, o in inside) + own[1]
        tree.append(Place(kec_name, href(kec_code), total, still_open, tuple(shown)))
    return sorted(tree, key=busiest), hidden


async def areas(request: web.Request) -> web.Response:
    """Wilayah: reports per kecamatan and desa in the period, busiest first; the desa that sent
    nothing are counted in one line, and listed with ``?semua=1``."""
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    period = period_of(request, config)
    every = request.query.get("semua") == "1"
    async with request.config_dict[SESSIONS]() as session:
        counts = await queries.region_counts(session, period_query(who, period))
    title = tr.t(
        "console.areas.title", first=period.first.isoformat(), last=period.last.isoformat()
    )
    tree, hidden = _places(config, who, period, counts, every=every)
    toggle = url("/wilayah", {**period.dates, "semua": "" if every else "1"})
    return page(
        request,
        "areas.html",
        title,
        period=period,
        tree=tree,
        hidden=hidden,
        every=every,
        toggle=toggle,
    )


# --- audit ----------------------------------------------------------------------------------


async def audit_log(request: web.Request) -> web.Response:
    tr, who = translator(request), viewer(request)
    if not who.is_coordinator:
        raise Refusal(403, "console.error.coordinator_only")
    config = request.config_dict[CONFIG]
    number_ = page_number(request)
    size = config.page_size
    async with request.config_dict[SESSIONS]() as session:
        entries, total, units = await queries.audit_page(
            session, offset=(number_ - 1) * size, limit=size
        )
    rows = [
        [
            r.at.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M:%S"),
            r.user_name or (tr.t("console.server_admin") if r.action == AuditAction.LOGIN else "-"),
            units[r.unit_id].name if r.unit_id in units else "-",
            tr.t(f"console.audit.{r.action}"),
            r.subject,
            str(r.session_id or "-"),
            r.address or "-",
        ]
        for r in entries
    ]
    text, links = _pager(tr, "/audit", {}, number_, total, size, back=False)
    return page(
        request, "audit.html", tr.t("console.audit.title"), rows=rows, page_text=text, pages=links
    )
