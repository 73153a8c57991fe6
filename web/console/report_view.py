"""One report's page (its card's fields, photos and timeline) and its photos, for a viewer
who may see its unit; every view and photo is written to the audit log."""

from __future__ import annotations

import re
from datetime import date

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from core.actors import actor_words
from core.clips import clip_kind_of
from core.lifecycle import Privacy
from core.places import BLUR_DECIMALS, shown_point
from core.timeline import EventKind, event_words, is_internal
from core.tracking import TrackingCheck, parse_tracking_number
from locales import Translator
from storage.console import ASSIGN_REQUEST
from storage.counter import filing_of
from storage.models import Citizen, CounterFiling, Report, ReportHold, Unit
from storage.rights import erased_reason
from web.console import acting, assigning, csrf, map_view, queries, ready_answers, referring
from web.console.audit import AuditAction, record, refuse
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, Refusal, translator, viewer
from web.console.templating import page
from web.console.wa_held import held_lines
from web.media import image_response

#: A report has a handful of photos; a number longer than this is no photo (nor an SQL integer).
_PHOTO_NUMBER = re.compile(r"[0-9]{1,4}")


def may_print(who: Viewer, filing: CounterFiling | None) -> bool:
    """Whether the viewer may print ``filing``'s counter slip (with a claim code): the unit that
    took it at its counter, and the coordinator."""
    return filing is not None and (who.is_coordinator or who.unit.id == filing.unit_id)


async def visible_report(request: web.Request, session: AsyncSession, who: Viewer) -> Report:
    report = await _addressed_report(request, session)
    if not who.may_see(report.unit_id):
        await refuse(session, request, report.tracking_no)
    return report


async def _addressed_report(request: web.Request, session: AsyncSession) -> Report:
    """The report the address names (404 if none), whoever may see it."""
    raw = request.match_info["tracking"]
    parsed = parse_tracking_number(raw)
    if parsed.check != TrackingCheck.VALID:
        raise Refusal(404, "console.error.unknown_report", number=raw[:20])
    report = await queries.report_by_tracking(session, parsed.number.replace("-", ""))
    if report is None:
        raise Refusal(404, "console.error.unknown_report", number=parsed.number)
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
    if reason := erased_reason(citizen):
        return tr.t(f"rights.erased_reporter.{reason}")
    contact = f" (@{citizen.username})" if citizen.username else ""
    if citizen.phone:  # given at the counter (lapor atas nama warga)
        contact = f" ({citizen.phone})"
    return f"{citizen.name or '-'}{contact}"


def _actor(tr: Translator, label: str) -> str:
    words = actor_words(label)
    return tr.t(words.key) if words.key else words.name


def _event_cells(
    tr: Translator, kind: str, note: str, to_unit: Unit | None = None
) -> tuple[str, str]:
    """An event's words and the note people wrote (a code in the note is folded into the words);
    an event that sent the report to another unit names it."""
    words = event_words(kind, note)
    if to_unit is not None and kind == EventKind.TRANSFERRED:
        return tr.t("console.timeline.transferred_to", unit=to_unit.name), words.note
    what = tr.t(words.key, **words.values)
    if is_internal(kind):
        what = f"{what} ({tr.t('console.timeline.internal')})"
    return what, words.note


#: Timeline entries the printout leaves out (print CSS, class ``internal``): the reminder
#: engine's reminders and escalations, a supporter's words meant for the unit only, and a
#: message that could not be delivered. The printout is the report's story between the people.
NOT_PRINTED = frozenset(
    {EventKind.REMINDER, EventKind.ESCALATED, EventKind.SUPPORTER_NOTE, EventKind.UNDELIVERABLE}
)


def _day(moment: date | None) -> str:
    return moment.isoformat() if moment else "-"


async def report_page(request: web.Request) -> web.Response:
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    asked = request.query.get(acting.REQUEST_PARAM, "")
    async with request.config_dict[SESSIONS]() as session:
        report = await _addressed_report(request, session)
        result = await acting.outcome(session, tr, report, asked) if asked else None
        if not who.may_see(report.unit_id):
            # Transferred away by the viewer's own request: its outcome, and nothing more.
            if result is None or not await acting.asked_by(session, who, asked):
                await refuse(session, request, report.tracking_no)
            return page(
                request,
                "notice.html",
                tr.t("console.detail.title", number=report.tracking_no),
                text=result.text,
                refresh=_refresh(request, result),
            )
        found = await queries.detail(session, report, config, tr.language)
        assign = await assigning.assign_form(session, who, report)
        # The legal hold (web.console.holds): the coordinator's to see, set and lift.
        hold = await session.get(ReportHold, report.id) if who.is_coordinator else None
        referred = await referring.referred_to(session, tr, report)
        counter = await filing_of(session, report.id)
        wa_held = await held_lines(session, tr, report, config.timezone)
        # While a request waits for the bot, no other is offered (it would act on a stale view).
        forms, ready = None, ready_answers.Offer({}, {})
        if result is None or not result.waiting:
            forms = await acting.forms(session, tr, config, who, report, found.units)
            ready = await ready_answers.offer(session, config, report, forms.actions, request.query)
        if result is None or not result.waiting:  # not every refresh while the bot works
            record(session, request, AuditAction.VIEW, report.tracking_no)
        await session.commit()
    row, units = found.row, found.units
    h = row.handling
    location = ", ".join(p for p in (row.desa, row.kecamatan) if p) or report.region_code
    fields = [
        ("console.col.status", tr.t(f"console.status.{report.status}")),
        ("console.col.type", tr.t(f"console.type.{report.report_type}")),
        ("console.col.category", row.category),
        ("console.col.unit", row.unit),
        ("console.col.assignee", report.assignee_name or tr.t("console.assignee.none")),
        ("console.detail.place", location),
        ("console.detail.address", report.address_detail or "-"),
        ("console.detail.description", report.description),
        ("console.detail.privacy", tr.t(f"console.privacy.{report.privacy}")),
        ("console.detail.reporter", _reporter(tr, config, who, report, found.citizen)),
        ("console.col.created", row.created_on.isoformat()),
        ("console.col.verified", _day(h.verify.ended_on)),
        ("console.col.followed_up", _day(h.follow_up.ended_on)),
        ("console.col.finished", _day(h.finish.ended_on)),
        ("console.detail.due", _day(report.due_date)),
        ("console.col.working_days", str(row.working_days)),
        ("console.col.late", tr.t("console.yes") if row.late_ever else tr.t("console.no")),
        ("console.col.rating", str(report.rating) if report.rating else "-"),
        ("console.col.supporters", str(row.supporters)),
        ("console.detail.rating_comment", report.rating_comment or "-"),
    ]
    if referred:
        fields.insert(2, ("console.refer.referred_to", referred))
    point = point_data = ""
    # Outside the handling unit an anonim or rahasia report's point is rounded (core.places).
    insider = who.is_coordinator or who.unit.id == report.unit_id
    shown = shown_point(report.latitude, report.longitude, report.privacy, insider=insider)
    if shown is not None:
        digits = 6 if insider or shown == (report.latitude, report.longitude) else BLUR_DECIMALS
        point = f"{shown[0]:.{digits}f}, {shown[1]:.{digits}f}"
        point_data = f"{shown[0]:.{digits}f},{shown[1]:.{digits}f},{report.status}"
    timeline = [
        (
            "internal" if e.kind in NOT_PRINTED else "",
            [
                e.created_at.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M"),
                _actor(tr, e.actor),
                units[e.unit_id].name if e.unit_id in units else "",
                *_event_cells(tr, e.kind, e.note, units.get(e.to_unit_id or 0)),
            ],
        )
        for e in found.events
        # Internal notes are the holding unit's and the coordinator's (a kecamatan reading
        # its desa's report does not see them).
        if not is_internal(e.kind) or who.is_coordinator or who.unit.id == report.unit_id
    ]
    return page(
        request,
        "report.html",
        tr.t("console.detail.title", number=report.tracking_no),
        fields=fields,
        point=point,
        point_data=point_data,
        frame=map_view.frame(config),
        legend=map_view.legend(tr),
        photos=[p for p in found.photos if clip_kind_of(p.mime_type) is None],
        photo_base=f"/laporan/{report.tracking_no}/foto",
        clips=[(p, clip_kind_of(p.mime_type)) for p in found.photos if clip_kind_of(p.mime_type)],
        clip_base=f"/laporan/{report.tracking_no}/rekaman",
        timeline=timeline,
        wa_held=wa_held,
        printed_at=config.clock().astimezone(config.timezone).strftime("%Y-%m-%d %H:%M"),
        outcome=result,
        act_url=f"/laporan/{report.tracking_no}/tindakan",
        forms=forms,
        ready=ready,
        assign=None if result and result.waiting else assign,
        hold_url=f"/laporan/{report.tracking_no}/tahan" if who.is_coordinator else "",
        hold=hold,
        slip_url=f"/laporan/{report.tracking_no}/tanda-terima" if may_print(who, counter) else "",
        refresh=_refresh(request, result),
    )


def _refresh(request: web.Request, result: acting.Outcome | None) -> str:
    """While the bot has not taken the request, the page reloads every 2 s (no script: the CSP
    allows none inline)."""
    return f"2; url={request.path_qs}" if result is not None and result.waiting else ""


async def act_on_report(request: web.Request) -> web.StreamResponse:
    """``POST /laporan/N/tindakan``: an officer's action queued for the bot (``acting.queue``);
    the report's page then shows its outcome. A refusal is a page with the way back."""
    tr, who = translator(request), viewer(request)
    config = request.config_dict[CONFIG]
    form = await request.post()
    subject = f"{request.match_info['tracking'][:20]} {str(form.get('aksi', ''))[:8]}"
    if not csrf.genuine(request, config, str(form.get(csrf.FIELD, ""))):
        async with request.config_dict[SESSIONS]() as session:
            record(session, request, AuditAction.REFUSED, f"{subject} cross_site")
            await session.commit()
        raise Refusal(403, "console.error.cross_site")
    async with request.config_dict[SESSIONS]() as session:
        report = await visible_report(request, session, who)
        try:
            if str(form.get("aksi", "")) == ASSIGN_REQUEST:
                queued = await assigning.queue_assignment(request, session, who, report)
            else:
                queued = await acting.queue(request, session, who, report)
        except Refusal as refused:
            record(session, request, AuditAction.REFUSED, f"{subject} {refused.key}"[:500])
            await session.commit()
            return page(
                request,
                "notice.html",
                tr.t(f"console.status_title.{refused.status_code}"),
                status=refused.status_code,
                text=tr.t(refused.key, **refused.values),
                error=True,
                back=(f"/laporan/{report.tracking_no}", tr.t("console.act.back")),
            )
        await session.commit()
    raise web.HTTPSeeOther(f"/laporan/{report.tracking_no}?{acting.REQUEST_PARAM}={queued}")


async def photo(request: web.Request) -> web.StreamResponse:
    who = viewer(request)
    raw_n = request.match_info["n"]
    async with request.config_dict[SESSIONS]() as session:
        report = await visible_report(request, session, who)
        if not _PHOTO_NUMBER.fullmatch(raw_n):
            raise Refusal(404, "console.error.http_404")
        found = await queries.photo(session, report.id, int(raw_n))
        record(session, request, AuditAction.PHOTO, f"{report.tracking_no} {int(raw_n)}")
        await session.commit()
    config = request.config_dict[CONFIG]
    stored = found.stored_path if found is not None else None
    name = f"laporan-{report.tracking_no}-foto-{raw_n}"
    served = await image_response(config.media_dir, stored, name=name)
    if served is None:
        raise Refusal(404, "console.error.photo_missing")
    return served
