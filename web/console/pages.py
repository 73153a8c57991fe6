"""The console's pages: overview with the unit table, the report list, a report, exports and
the audit log. Each page checks what the viewer may see before it reads anything."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.deadlines import UNIT_STAGES
from core.decisions import REPORTER_LABEL, SUPPORTER_LABEL, SYSTEM_LABEL
from core.lifecycle import OPEN_STATUSES, Privacy, ReportStatus, ReportType
from core.performance import Indicators, Tally
from core.timeline import event_words
from core.tracking import TrackingCheck, parse_tracking_number
from locales import Translator
from storage import console as store
from storage.models import Citizen, Report, ReportPhoto, Unit
from web.console import csrf, exports
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, Refusal, record, render, translator, viewer
from web.console.html import bars, esc, link, number, percent, share_bars, table, url
from web.console.rows import build_row, load_rows
from web.media import image_response

MAX_PAGE = 100_000
#: The days a period may name: outside them no report exists and date arithmetic would overflow.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
#: A report has a handful of photos; a number longer than this is no photo (nor an SQL integer).
_PHOTO_NUMBER = re.compile(r"[0-9]{1,4}")
_TRACKING_SYMBOLS = re.compile(r"[^0-9A-Z]")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", overview)
    router.add_get("/laporan", report_list)
    router.add_get("/laporan/{tracking}", report_page)
    router.add_get("/laporan/{tracking}/foto/{n}", photo)
    router.add_get("/audit", audit_log)
    router.add_get("/wilayah", areas)


# --- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    key: str


def _date(value: str, key: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Refusal(400, "console.error.bad_date", value=value[:20], field=key) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Refusal(
            400,
            "console.error.date_out_of_range",
            value=value[:20],
            field=key,
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
    return day


def period_of(
    request: web.Request, config: ConsoleConfig, params: Mapping[str, str] | None = None
) -> Period:
    """This month by default; ``periode=30`` / ``tahun``; or ``dari``/``sampai`` dates (from the
    address, or ``params``: a form's fields)."""
    q = request.query if params is None else params
    today = config.clock().astimezone(config.timezone).date()
    start, end = q.get("dari", ""), q.get("sampai", "")
    if start or end:
        first = _date(start, "dari") if start else today.replace(day=1)
        last = _date(end, "sampai") if end else today
        if last < first:
            raise Refusal(400, "console.error.bad_range")
        return Period(first, last, "custom")
    key = q.get("periode", "bulan")
    if key == "30":
        return Period(today - timedelta(days=29), today, key)
    if key == "tahun":
        return Period(today.replace(month=1, day=1), today, key)
    if key != "bulan":
        raise Refusal(400, "console.error.bad_period")
    return Period(today.replace(day=1), today, "bulan")


async def _units(session: AsyncSession) -> dict[int, Unit]:
    return {u.id: u for u in await store.all_units(session)}


def _tracking_prefix(text: str) -> str:
    parsed = parse_tracking_number(text)
    if parsed.check == TrackingCheck.VALID:
        return parsed.number.replace("-", "")
    cleaned = text.upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return _TRACKING_SYMBOLS.sub("", cleaned)


async def report_query(
    request: web.Request,
    session: AsyncSession,
    who: Viewer,
    config: ConsoleConfig,
    params: Mapping[str, str] | None = None,
) -> tuple[store.ReportQuery, dict[str, str], Period]:
    """The list's filters from the address (or ``params``), checked: unknown values are a 400,
    a unit outside the viewer's reach a 403 (audited)."""
    q = request.query if params is None else params
    period = period_of(request, config, q)
    query = store.ReportQuery(
        visible=who.visible,
        first_day=period.first,
        last_day=period.last,
    )
    status = q.get("status", "")
    if status:
        if status not in {s.value for s in ReportStatus}:
            raise Refusal(400, "console.error.bad_value", value=status[:40])
        query = replace(query, status=status)
    kind = q.get("klas", "")
    if kind:
        if kind not in {t.value for t in ReportType}:
            raise Refusal(400, "console.error.bad_value", value=kind[:40])
        query = replace(query, report_type=kind)
    category = q.get("kategori", "")
    if category:
        if config.category(category) is None:
            raise Refusal(400, "console.error.bad_value", value=category[:40])
        query = replace(query, category=category)
    code = q.get("unit", "")
    if code:
        unit = next((u for u in (await _units(session)).values() if u.code == code), None)
        if unit is None:
            raise Refusal(404, "console.error.unknown_unit", code=code[:40])
        if not who.may_see(unit.id):
            record(session, request, "refused", f"{request.path} unit={code[:40]}")
            await session.commit()
            raise Refusal(403, "console.error.forbidden")
        query = replace(query, unit_id=unit.id)
    area = q.get("wilayah", "")
    if area:
        if not config.regions.contains(area):
            raise Refusal(400, "console.error.bad_value", value=area[:40])
        query = replace(query, region_prefix=area)
    if q.get("terlambat") == "1":
        query = replace(query, late_on=config.clock().astimezone(config.timezone).date())
    search = q.get("nomor", "").strip()
    if search:
        query = replace(query, tracking=_tracking_prefix(search)[:9])
    kept = {
        k: q.get(k, "")
        for k in ("status", "klas", "kategori", "unit", "wilayah", "terlambat", "nomor")
    }
    kept.update(dari=period.first.isoformat(), sampai=period.last.isoformat())
    return query, kept, period


# --- overview and unit table ----------------------------------------------------------------


def _indicator_cards(tr: Translator, ind: Indicators) -> str:
    cards = [
        (tr.t("console.ind.received"), str(ind.received)),
        (tr.t("console.ind.verify_on_time"), percent(ind.verify_on_time)),
        (tr.t("console.ind.follow_up_on_time"), percent(ind.follow_up_on_time)),
        (tr.t("console.ind.finish_on_time"), percent(ind.finish_on_time)),
        (tr.t("console.ind.verify_median"), number(ind.verify_median_days)),
        (tr.t("console.ind.follow_up_median"), number(ind.follow_up_median_days)),
        (tr.t("console.ind.finish_median"), number(ind.finish_median_days)),
        (tr.t("console.ind.late_now"), str(ind.late_now)),
        (tr.t("console.ind.reopened"), str(ind.reopened)),
        (tr.t("console.ind.rating_average"), number(ind.rating_average)),
        (tr.t("console.ind.rating_good"), percent(ind.rating_good_share)),
    ]
    inner = "".join(
        f'<div class="card"><div class="v">{esc(v)}</div><div class="k">{esc(k)}</div></div>'
        for k, v in cards
    )
    return f'<div class="cards">{inner}</div>'


UNIT_SORTS = {
    "nama": lambda r: r[0].name.lower(),
    "masuk": lambda r: -r[1].received,
    "verifikasi": lambda r: r[1].verify_on_time if r[1].verify_on_time is not None else 2,
    "tindaklanjut": lambda r: r[1].follow_up_on_time if r[1].follow_up_on_time is not None else 2,
    "terlambat": lambda r: -r[1].late_now,
    "nilai": lambda r: -(r[1].rating_average or 0),
}


def _unit_table(
    tr: Translator, rows: list[tuple[Unit, Indicators]], period: Period, sort: str
) -> str:
    rows = sorted(rows, key=UNIT_SORTS.get(sort, UNIT_SORTS["masuk"]))
    dates = {"dari": period.first.isoformat(), "sampai": period.last.isoformat()}
    heads = [
        ("nama", "console.unit.name"),
        ("masuk", "console.ind.received"),
        ("verifikasi", "console.ind.verify_on_time"),
        ("tindaklanjut", "console.ind.follow_up_on_time"),
        ("", "console.ind.finish_on_time"),
        ("terlambat", "console.ind.late_now"),
        ("", "console.ind.reopened"),
        ("nilai", "console.ind.rating_average"),
        ("", "console.ind.rating_good"),
    ]
    headers = [
        link(url("/", {**dates, "urut": key}), tr.t(text)) if key else esc(tr.t(text))
        for key, text in heads
    ]
    body = [
        [
            link(url("/laporan", {**dates, "unit": unit.code}), unit.name),
            str(ind.received),
            percent(ind.verify_on_time),
            percent(ind.follow_up_on_time),
            percent(ind.finish_on_time),
            f'<span class="late">{ind.late_now}</span>' if ind.late_now else "0",
            str(ind.reopened),
            number(ind.rating_average),
            percent(ind.rating_good_share),
        ]
        for unit, ind in rows
    ]
    return table(headers, body, raw=True)


def _period_form(tr: Translator, period: Period, action: str = "/") -> str:
    options = "".join(
        f'<option value="{k}"{" selected" if period.key == k else ""}>'
        f"{esc(tr.t(f'console.period.{k}'))}</option>"
        for k in ("bulan", "30", "tahun")
    )
    return (
        f'<form class="filters" method="get" action="{action}">'
        f'<label>{esc(tr.t("console.period"))}<select name="periode">{options}</select></label>'
        f'<button type="submit">{esc(tr.t("console.show"))}</button></form>'
        f'<form class="filters" method="get" action="{action}">'
        f'<label>{esc(tr.t("console.filter.from"))}<input type="date" name="dari" '
        f'value="{period.first.isoformat()}"></label>'
        f'<label>{esc(tr.t("console.filter.to"))}<input type="date" name="sampai" '
        f'value="{period.last.isoformat()}"></label>'
        f'<button type="submit">{esc(tr.t("console.show"))}</button></form>'
    )


async def overview(request: web.Request) -> web.Response:
    """Ringkasan and kinerja unit for a period (this month by default)."""
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    period = period_of(request, config)
    query = store.ReportQuery(
        visible=who.visible,
        first_day=period.first,
        last_day=period.last,
    )
    today = config.clock().astimezone(config.timezone).date()
    stages = [s.value for s in UNIT_STAGES]
    async with request.config_dict[SESSIONS]() as session:
        units = await _units(session)
        by_unit = await store.tallies(session, query, today=today, unit_stages=stages)
        # The unit table shows no medians: the day histograms are counted for the total only.
        days = await store.day_counts(session, query, None)
        daily = await store.daily(session, query, today=today)
        categories = await store.category_counts(
            session, query, [c.code for c in config.categories]
        )
    total = Tally()
    for part in by_unit.values():
        total.add(part)
    for histograms in days.values():
        store.with_days(total, histograms)
    unit_rows = [(units[uid], part.indicators()) for uid, part in by_unit.items() if uid in units]
    by_category: dict[str, int] = defaultdict(int)
    weeks: dict[date, Tally] = defaultdict(Tally)
    for day in daily:
        week = weeks[day.day - timedelta(days=day.day.weekday())]
        week.received += day.received
        for kind, n in day.by_type.items():
            week.by_type[kind] = week.by_type.get(kind, 0) + n
        week.verify_on_time += day.verify_on_time
        week.verify_judged += day.verify_judged
    for code, n in categories.items():
        category = config.category(code)
        if category is None:
            by_category[code or "-"] += n
        else:
            by_category[category.name_en if tr.language == "en" else category.name_id] += n
    weekly = sorted((monday, part.indicators()) for monday, part in weeks.items())
    per_week = [
        (
            tr.t("console.overview.week", day=monday.isoformat())
            + " · "
            + ", ".join(f"{tr.t(f'console.type.{k}')} {n}" for k, n in sorted(ind.by_type.items())),
            ind.received,
        )
        for monday, ind in weekly
    ]
    on_time_weekly = [
        (tr.t("console.overview.week", day=monday.isoformat()), ind.verify_on_time)
        for monday, ind in weekly
    ]
    total_ind = total.indicators()
    title = tr.t(
        "console.overview.title", first=period.first.isoformat(), last=period.last.isoformat()
    )
    types = [(tr.t(f"console.type.{k}"), n) for k, n in sorted(total_ind.by_type.items())]
    statuses = [(tr.t(f"console.status.{k}"), n) for k, n in sorted(total_ind.by_status.items())]
    body = (
        _period_form(tr, period)
        + f"<h2>{esc(tr.t('console.overview.summary'))}</h2>"
        + _indicator_cards(tr, total_ind)
        + f"<h2>{esc(tr.t('console.overview.by_type'))}</h2>"
        + bars(tr, types)
        + f"<h2>{esc(tr.t('console.overview.by_status'))}</h2>"
        + bars(tr, statuses)
        + f"<h2>{esc(tr.t('console.overview.by_category'))}</h2>"
        + bars(tr, sorted(by_category.items(), key=lambda kv: -kv[1]))
        + f"<h2>{esc(tr.t('console.overview.by_week'))}</h2>"
        + bars(tr, per_week)
        + f"<h2>{esc(tr.t('console.overview.verify_by_week'))}</h2>"
        + share_bars(tr, on_time_weekly)
        + f"<h2>{esc(tr.t('console.overview.units'))}</h2>"
        + f"<p>{esc(tr.t('console.overview.units_note'))}</p>"
        + _unit_table(tr, unit_rows, period, request.query.get("urut", "masuk"))
    )
    return render(request, title, body)


def export_form(request: web.Request, kept: Mapping[str, str], kind: str, label: str) -> str:
    """A button that exports ``kind`` with the list's filters ``kept`` (a POST with the form
    token: see web.console.export_route)."""
    hidden = "".join(
        f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in kept.items() if v
    )
    return (
        '<form method="post" action="/ekspor" class="inline">'
        + csrf.field(request, request.config_dict[CONFIG])
        + hidden
        + f'<input type="hidden" name="format" value="{esc(kind)}">'
        + f'<button type="submit">{esc(label)}</button></form>'
    )


# --- report list ----------------------------------------------------------------------------


def _page_number(request: web.Request) -> int:
    raw = request.query.get("hal", "1")
    if not re.fullmatch(r"[0-9]{1,6}", raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise Refusal(400, "console.error.bad_page", value=raw[:20])
    return int(raw)


def _select(name: str, label: str, options: Sequence[tuple[str, str]], current: str) -> str:
    items = "".join(
        f'<option value="{esc(v)}"{" selected" if v == current else ""}>{esc(t)}</option>'
        for v, t in options
    )
    return f'<label>{esc(label)}<select name="{name}">{items}</select></label>'


def _filter_form(
    tr: Translator, config: ConsoleConfig, kept: dict[str, str], units: list[Unit]
) -> str:
    every = ("", tr.t("console.filter.all"))
    statuses = [every, *((s.value, tr.t(f"console.status.{s.value}")) for s in ReportStatus)]
    kinds = [every, *((t.value, tr.t(f"console.type.{t.value}")) for t in ReportType)]
    name = "name_en" if tr.language == "en" else "name_id"
    categories = [every, *((c.code, getattr(c, name)) for c in config.categories)]
    unit_options = [every, *((u.code, u.name) for u in units)]
    return (
        '<form class="filters" method="get" action="/laporan">'
        f'<label>{esc(tr.t("console.filter.tracking"))}<input name="nomor" '
        f'value="{esc(kept["nomor"])}" size="12"></label>'
        + _select("status", tr.t("console.filter.status"), statuses, kept["status"])
        + _select("klas", tr.t("console.filter.type"), kinds, kept["klas"])
        + _select("kategori", tr.t("console.filter.category"), categories, kept["kategori"])
        + _select("unit", tr.t("console.filter.unit"), unit_options, kept["unit"])
        + f'<label>{esc(tr.t("console.filter.area"))}<input name="wilayah" '
        f'value="{esc(kept["wilayah"])}" size="14" placeholder="64.08.09"></label>'
        f'<label>{esc(tr.t("console.filter.from"))}<input type="date" name="dari" '
        f'value="{esc(kept["dari"])}"></label>'
        f'<label>{esc(tr.t("console.filter.to"))}<input type="date" name="sampai" '
        f'value="{esc(kept["sampai"])}"></label>'
        f'<label><span><input type="checkbox" name="terlambat" value="1"'
        f"{' checked' if kept['terlambat'] == '1' else ''}> "
        f"{esc(tr.t('console.filter.late'))}</span></label>"
        f'<button type="submit">{esc(tr.t("console.show"))}</button></form>'
    )


async def report_list(request: web.Request) -> web.Response:
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    number_ = _page_number(request)
    async with request.config_dict[SESSIONS]() as session:
        query, kept, _period = await report_query(request, session, who, config)
        units = await _units(session)
        size = config.page_size
        reports, total = await store.report_page(
            session, query, offset=(number_ - 1) * size, limit=size
        )
        rows = await load_rows(session, reports, units, config, tr.language)
    reachable = sorted(
        (u for u in units.values() if who.may_see(u.id)), key=lambda u: (u.kind, u.name)
    )
    headers = [
        tr.t("console.col.tracking"),
        tr.t("console.col.created"),
        tr.t("console.col.type"),
        tr.t("console.col.category"),
        tr.t("console.col.desa"),
        tr.t("console.col.unit"),
        tr.t("console.col.status"),
        tr.t("console.col.working_days"),
        tr.t("console.col.late"),
        tr.t("console.col.supporters"),
    ]
    body_rows = [
        [
            link(f"/laporan/{row.report.tracking_no}", row.report.tracking_no),
            esc(row.created_on.isoformat()),
            esc(tr.t(f"console.type.{row.report.report_type}")),
            esc(row.category),
            esc(", ".join(p for p in (row.desa, row.kecamatan) if p)),
            esc(row.unit),
            esc(tr.t(f"console.status.{row.report.status}")),
            str(row.working_days),
            f'<span class="late">{esc(tr.t("console.yes"))}</span>' if row.late_now else "",
            str(row.supporters),
        ]
        for row in rows
    ]
    pages = max((total + size - 1) // size, 1)
    pager = [f"<span>{esc(tr.t('console.page', page=number_, pages=pages, total=total))}</span>"]
    if number_ > 1:
        pager.append(link(url("/laporan", {**kept, "hal": number_ - 1}), tr.t("console.prev")))
    if number_ < pages:
        pager.append(link(url("/laporan", {**kept, "hal": number_ + 1}), tr.t("console.next")))
    downloads = " ".join(
        export_form(request, kept, f, tr.t(f"console.export.{f}")) for f in exports.FORMATS
    )
    listing = (
        table(headers, body_rows, raw=True)
        if body_rows
        else f'<p class="notice">{esc(tr.t("console.list.empty"))}</p>'
    )
    body = (
        _filter_form(tr, config, kept, reachable)
        + f'<div class="pager">{" ".join(pager)}</div>'
        + listing
        + f"<h2>{esc(tr.t('console.export.title'))}</h2><p>{downloads}</p>"
    )
    return render(request, tr.t("console.list.title"), body)


# --- one report -----------------------------------------------------------------------------


async def _visible_report(request: web.Request, session: AsyncSession, who: Viewer) -> Report:
    raw = request.match_info["tracking"]
    parsed = parse_tracking_number(raw)
    if parsed.check != TrackingCheck.VALID:
        raise Refusal(404, "console.error.unknown_report", number=raw[:20])
    report = await store.report_by_tracking(session, parsed.number.replace("-", ""))
    if report is None:
        raise Refusal(404, "console.error.unknown_report", number=parsed.number)
    if not who.may_see(report.unit_id):
        record(session, request, "refused", report.tracking_no)
        await session.commit()
        raise Refusal(403, "console.error.forbidden")
    return report


def _reporter(
    tr: Translator, config: ConsoleConfig, who: Viewer, report: Report, citizen: Citizen | None
) -> str:
    """As the cards say it: an anonymous reporter is hidden (from the coordinator too, unless
    ``COORDINATOR_SEES_IDENTITY``); a confidential one is named to the coordinator only."""
    if citizen is None:
        return "-"
    if report.privacy == Privacy.ANONIM and not (
        who.is_coordinator and config.coordinator_sees_identity
    ):
        return tr.t("console.reporter.hidden_anonymous")
    if report.privacy == Privacy.RAHASIA and not who.is_coordinator:
        return tr.t("console.reporter.hidden_confidential")
    contact = f" (@{citizen.username})" if citizen.username else ""
    return f"{citizen.name or '-'}{contact}"


def _actor(tr: Translator, actor: str) -> str:
    if actor == REPORTER_LABEL:
        return tr.t("console.actor.reporter")
    if actor == SYSTEM_LABEL:
        return tr.t("console.actor.system")
    if actor == SUPPORTER_LABEL:
        return tr.t("console.actor.supporter")
    if actor.startswith("petugas:"):
        return actor.split(":", 2)[2] or tr.t("console.actor.officer")
    return actor


async def report_page(request: web.Request) -> web.Response:
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    async with request.config_dict[SESSIONS]() as session:
        report = await _visible_report(request, session, who)
        units = await _units(session)
        events = (await store.events_of(session, [report.id]))[report.id]
        supporters = (await store.supporter_counts(session, [report.id])).get(report.id, 0)
        row = build_row(report, units, config, tr.language, supporters)
        citizen = await session.get(Citizen, report.citizen_id)
        photos = list(
            await session.scalars(
                select(ReportPhoto)
                .where(ReportPhoto.report_id == report.id)
                .order_by(ReportPhoto.position)
            )
        )
        record(session, request, "view", report.tracking_no)
        await session.commit()
    h = row.handling
    location = ", ".join(p for p in (row.desa, row.kecamatan) if p) or report.region_code
    fields = [
        ("console.col.status", tr.t(f"console.status.{report.status}")),
        ("console.col.type", tr.t(f"console.type.{report.report_type}")),
        ("console.col.category", row.category),
        ("console.col.unit", row.unit),
        ("console.detail.place", location),
        ("console.detail.address", report.address_detail or "-"),
        ("console.detail.description", report.description),
        ("console.detail.privacy", tr.t(f"console.privacy.{report.privacy}")),
        ("console.detail.reporter", _reporter(tr, config, who, report, citizen)),
        ("console.col.created", row.created_on.isoformat()),
        ("console.col.verified", h.verify.ended_on.isoformat() if h.verify.ended_on else "-"),
        (
            "console.col.followed_up",
            h.follow_up.ended_on.isoformat() if h.follow_up.ended_on else "-",
        ),
        ("console.col.finished", h.finish.ended_on.isoformat() if h.finish.ended_on else "-"),
        ("console.detail.due", report.due_date.isoformat() if report.due_date else "-"),
        ("console.col.working_days", str(row.working_days)),
        ("console.col.late", tr.t("console.yes") if row.late_ever else tr.t("console.no")),
        ("console.col.rating", str(report.rating) if report.rating else "-"),
        ("console.col.supporters", str(row.supporters)),
        ("console.detail.rating_comment", report.rating_comment or "-"),
    ]
    dl = "".join(f"<dt>{esc(tr.t(k))}</dt><dd>{esc(v)}</dd>" for k, v in fields)
    if report.latitude is not None and report.longitude is not None:
        point = f"{report.latitude:.6f}, {report.longitude:.6f}"
        dl += f"<dt>{esc(tr.t('console.detail.point'))}</dt><dd>{esc(point)}</dd>"
    timeline = [
        [
            e.created_at.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M"),
            _actor(tr, e.actor),
            units[e.unit_id].name if e.unit_id in units else "",
            *_event_cells(tr, e.kind, e.note),
        ]
        for e in events
    ]
    base = f"/laporan/{esc(report.tracking_no)}/foto"
    gallery = "".join(
        f'<a href="{base}/{p.position}"><img src="{base}/{p.position}" alt="{p.position}"></a>'
        if p.stored_path
        else f"<span>{esc(tr.t('console.detail.photo_pending', n=p.position))}</span>"
        for p in photos
    )
    body = (
        f'<dl class="card-fields">{dl}</dl>'
        + (
            f'<h2>{esc(tr.t("console.detail.photos"))}</h2><div class="photos">{gallery}</div>'
            if gallery
            else ""
        )
        + f"<h2>{esc(tr.t('console.detail.timeline'))}</h2>"
        + table(
            [
                tr.t("console.timeline.when"),
                tr.t("console.timeline.who"),
                tr.t("console.col.unit"),
                tr.t("console.timeline.what"),
                tr.t("console.timeline.note"),
            ],
            timeline,
        )
    )
    return render(request, tr.t("console.detail.title", number=report.tracking_no), body)


def _event_cells(tr: Translator, kind: str, note: str) -> tuple[str, str]:
    """An event's words and the note people wrote (a code in the note is folded into the words)."""
    words = event_words(kind, note)
    return tr.t(words.key, **words.values), words.note


async def photo(request: web.Request) -> web.StreamResponse:
    who = viewer(request)
    raw_n = request.match_info["n"]
    async with request.config_dict[SESSIONS]() as session:
        report = await _visible_report(request, session, who)
        if not _PHOTO_NUMBER.fullmatch(raw_n):
            raise Refusal(404, "console.error.http_404")
        found = await session.scalar(
            select(ReportPhoto).where(
                ReportPhoto.report_id == report.id, ReportPhoto.position == int(raw_n)
            )
        )
        record(session, request, "photo", f"{report.tracking_no} {int(raw_n)}")
        await session.commit()
    config = request.config_dict[CONFIG]
    stored = found.stored_path if found is not None else None
    name = f"laporan-{report.tracking_no}-foto-{raw_n}"
    served = await image_response(config.media_dir, stored, name=name)
    if served is None:
        raise Refusal(404, "console.error.photo_missing")
    return served


# --- areas ---------------------------------------------------------------------------------


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


async def areas(request: web.Request) -> web.Response:
    """Wilayah: reports per kecamatan and desa in the period, desa that sent nothing included."""
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    period = period_of(request, config)
    query = store.ReportQuery(
        visible=who.visible,
        first_day=period.first,
        last_day=period.last,
    )
    opened = [s.value for s in OPEN_STATUSES]
    async with request.config_dict[SESSIONS]() as session:
        counts = await store.counts_by_region(session, query, opened)
    dates = {"dari": period.first.isoformat(), "sampai": period.last.isoformat()}
    rows: list[list[str]] = []
    for kec_code, kec_name, desa in _area_tree(config, who):
        kec_total = sum(n for code, (n, _) in counts.items() if code.startswith(kec_code + "."))
        kec_total += counts.get(kec_code, (0, 0))[0]
        kec_link = link(url("/laporan", {**dates, "wilayah": kec_code}), kec_name)
        rows.append(
            [
                f"<strong>{kec_link}</strong>",
                "",
                f"<strong>{kec_total}</strong>",
                "",
            ]
        )
        for code, name in desa:
            total, still_open = counts.get(code, (0, 0))
            shown = link(url("/laporan", {**dates, "wilayah": code}), name) if total else esc(name)
            rows.append(["", shown, str(total), str(still_open)])
    headers = [
        tr.t("console.col.kecamatan"),
        tr.t("console.col.desa"),
        tr.t("console.ind.received"),
        tr.t("console.areas.open"),
    ]
    body = (
        _period_form(tr, period, "/wilayah")
        + f"<p>{esc(tr.t('console.areas.note'))}</p>"
        + table(headers, rows, raw=True)
    )
    title = tr.t(
        "console.areas.title", first=period.first.isoformat(), last=period.last.isoformat()
    )
    return render(request, title, body)


# --- audit ----------------------------------------------------------------------------------


async def audit_log(request: web.Request) -> web.Response:
    tr, who = translator(request), viewer(request)
    if not who.is_coordinator:
        raise Refusal(403, "console.error.coordinator_only")
    config = request.config_dict[CONFIG]
    number_ = _page_number(request)
    size = config.page_size
    async with request.config_dict[SESSIONS]() as session:
        units = await _units(session)
        rows, total = await store.audit_page(session, offset=(number_ - 1) * size, limit=size)
    body_rows = [
        [
            r.at.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M:%S"),
            r.user_name or (tr.t("console.server_admin") if r.action == "login" else "-"),
            units[r.unit_id].name if r.unit_id in units else "-",
            tr.t(f"console.audit.{r.action}"),
            r.subject,
            str(r.session_id or "-"),
            r.address or "-",
        ]
        for r in rows
    ]
    pages = max((total + size - 1) // size, 1)
    pager = [f"<span>{esc(tr.t('console.page', page=number_, pages=pages, total=total))}</span>"]
    if number_ < pages:
        pager.append(link(url("/audit", {"hal": number_ + 1}), tr.t("console.next")))
    headers = [
        tr.t("console.timeline.when"),
        tr.t("console.timeline.who"),
        tr.t("console.col.unit"),
        tr.t("console.timeline.what"),
        tr.t("console.audit.subject"),
        tr.t("console.audit.session"),
        tr.t("console.audit.address"),
    ]
    body = table(headers, body_rows) + f'<div class="pager">{" ".join(pager)}</div>'
    return render(request, tr.t("console.audit.title"), body)
