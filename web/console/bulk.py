"""Bulk actions on the report list: select reports, then transfer, archive or assign them.

Each selected report is one request for the bot (``console_requests``), sharing the batch id of
the first, checked and audited as the report page's form is (``web.console.acting``), and taken by
the bot through the same per-report use case. A report the console can refuse at once (another
unit's, forged into the form; a status that does not allow the action; a transfer to the unit
that holds it) is stored refused, with its reason, and audited as a refusal; the batch's page
(``/laporan/massal/N``) counts what was done, what waits, and lists what was refused and why.

Another bulk action is one more :class:`BulkAction` in :data:`BULK_ACTIONS` (its fields on the
form, and how a request is built from them in :func:`_prepare`). Assigning names one person for
every selected report (``web.console.assigning``): a report of a unit the person is not of is
refused for that report, with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.permissions import CaseAction, may_act
from core.tracking import TrackingCheck, parse_tracking_number
from locales import Translator
from storage.console import (
    ASSIGN_REQUEST,
    batch_rows,
    queue_many,
    queue_request,
    refused_at_once,
)
from storage.models import ConsoleRequest, Report, Unit
from web.console import acting, assigning, csrf
from web.console.audit import AuditAction, record, record_many
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, Refusal, translator, viewer
from web.console.templating import page
from web.console.unit_choices import unit_groups

#: The most reports one bulk action takes (ten pages of the list, and the bench's 500).
BULK_MAX = 500
#: The list's checkbox of a report (its tracking number).
PICK = "pilih"


@dataclass(frozen=True)
class BulkAction:
    """An action offered for the selected reports: its form value and the fields it needs."""

    value: str
    fields: tuple[str, ...]


BULK_ACTIONS: tuple[BulkAction, ...] = (
    BulkAction(CaseAction.TRANSFER.value, ("unit", "teks")),
    BulkAction(CaseAction.ARCHIVE.value, ("alasan", "teks")),
    BulkAction(ASSIGN_REQUEST, (assigning.PERSON_FIELD,)),
)

#: Each field's classes on the form: the actions it belongs to (``for-tr``...); the stylesheet
#: shows, once an action is chosen, only that action's fields (no script: ``:has``).
FIELD_CLASSES = {
    field: " ".join(f"for-{a.value}" for a in BULK_ACTIONS if field in a.fields)
    for field in ("unit", "alasan", "teks", assigning.PERSON_FIELD)
}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/laporan/massal", act_on_many)
    router.add_get("/laporan/massal/{batch}", batch_page)


@dataclass(frozen=True)
class _Asked:
    """What the form asks; ``action`` None: assign ``person``."""

    action: CaseAction | None
    note: str
    reason: str = ""
    to_unit: Unit | None = None
    person: str = ""

    @property
    def code(self) -> str:
        return self.action.value if self.action else ASSIGN_REQUEST


async def _prepare(session: AsyncSession, form: MultiDictProxy[Any]) -> _Asked:
    """What the form asks for every selected report; a :class:`Refusal` for the whole form."""
    raw = str(form.get("aksi", ""))
    if raw not in {a.value for a in BULK_ACTIONS}:
        raise Refusal(400, "console.act.error.unknown_action")
    if raw == ASSIGN_REQUEST:
        person = str(form.get(assigning.PERSON_FIELD, "")).strip()[:64]
        if not person.isdigit():
            raise Refusal(400, "case.refused.assign_unknown")
        return _Asked(None, "", person=person)
    action = acting.action_of(raw)
    note = acting.words(action, str(form.get("teks", "")))
    if action == CaseAction.ARCHIVE:
        reason = str(form.get("alasan", ""))
        if reason not in acting.CONSOLE_ARCHIVE_REASONS:
            raise Refusal(400, "case.refused.reason_required")
        return _Asked(action, note, reason=reason)
    return _Asked(action, note, to_unit=await acting.unit_by_code(session, str(form.get("unit"))))


def _numbers(form: MultiDictProxy[Any]) -> list[str]:
    """The selected tracking numbers, valid and once each, in the order given."""
    found: list[str] = []
    for raw in form.getall(PICK, [])[: BULK_MAX * 2]:
        parsed = parse_tracking_number(str(raw)[:20])
        if parsed.check == TrackingCheck.VALID and parsed.number not in found:
            found.append(parsed.number)
    if not found:
        raise Refusal(400, "console.bulk.none_selected")
    if len(found) > BULK_MAX:
        raise Refusal(400, "console.bulk.too_many", limit=BULK_MAX)
    return found


async def act_on_many(request: web.Request) -> web.StreamResponse:
    """``POST /laporan/massal``: one request per selected report, then the batch's page."""
    tr, who = translator(request), viewer(request)
    config: ConsoleConfig = request.config_dict[CONFIG]
    form = await request.post()
    subject = f"massal {str(form.get('aksi', ''))[:8]}"
    async with request.config_dict[SESSIONS]() as session:
        if not csrf.genuine(request, config, str(form.get(csrf.FIELD, ""))):
            record(session, request, AuditAction.REFUSED, f"{subject} cross_site")
            await session.commit()
            raise Refusal(403, "console.error.cross_site")
        try:
            asked, numbers = await _prepare(session, form), _numbers(form)
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
                back=("/laporan", tr.t("console.bulk.back")),
            )
        batch = await _queue_all(request, session, config, who, asked, numbers)
        await session.commit()
    raise web.HTTPSeeOther(f"/laporan/massal/{batch}")


async def _queue_all(
    request: web.Request,
    session: AsyncSession,
    config: ConsoleConfig,
    who: Viewer,
    asked: _Asked,
    numbers: list[str],
) -> int:
    """Queue (or refuse at once) each report's request; the batch's id."""
    reports = {
        r.tracking_no: r
        for r in await session.scalars(select(Report).where(Report.tracking_no.in_(numbers)))
    }
    batch: int | None = None
    # After the first request (its id names the bulk), the requests, their inbox rows and the
    # audit are written together at the end: a few statements, not three a report.
    queued: list[ConsoleRequest] = []
    audited: list[tuple[AuditAction, str]] = []
    for number in numbers:
        report = reports.get(number)
        if report is None:
            audited.append((AuditAction.REFUSED, f"{number} {asked.code} unknown"))
            continue
        row, refused = await _checked(session, config, who, report, asked, batch)
        if refused:
            refused_at_once(session, row, refused.removeprefix("case.refused."))
            audited.append((AuditAction.REFUSED, f"{number} {asked.code} {refused}"))
        else:
            if batch is None:
                await queue_request(session, row)
            else:
                queued.append(row)
            audited.append((AuditAction.ACT, f"{number} {asked.code} massal"))
        if batch is None:
            await session.flush()
            batch = row.batch_id = row.id
    await record_many(session, request, audited)
    if batch is None:  # nothing the viewer may see was selected
        raise Refusal(400, "console.bulk.none_selected")
    await queue_many(session, queued)
    return batch


async def _checked(
    session: AsyncSession,
    config: ConsoleConfig,
    who: Viewer,
    report: Report,
    asked: _Asked,
    batch: int | None,
) -> tuple[ConsoleRequest, str]:
    """The report's request, and the key of the console's refusal ('' when it may be queued)."""
    if asked.action is None:
        try:
            arg = await assigning.assign_arg(session, who, report, asked.person)
        except Refusal as refused:
            return assigning.assign_row(config, who, report, asked.person, batch), refused.key
        return assigning.assign_row(config, who, report, arg, batch), ""
    row = acting.request_row(
        config,
        who,
        report,
        asked.action,
        note=asked.note,
        reason=asked.reason,
        to_unit=asked.to_unit,
        batch_id=batch,
    )
    try:
        acting.check_allowed(who, report, asked.action, asked.to_unit)
    except Refusal as refused:
        return row, refused.key
    return row, ""


@dataclass(frozen=True)
class Refused:
    number: str
    reason: str


async def batch_page(request: web.Request) -> web.Response:
    """What became of a bulk action: done, waiting, refused (with why); reloads while waiting."""
    tr, who = translator(request), viewer(request)
    raw = request.match_info["batch"]
    if not raw.isdigit() or len(raw) > 12:
        raise Refusal(404, "console.error.http_404")
    async with request.config_dict[SESSIONS]() as session:
        rows = await batch_rows(session, int(raw), who.session.id)
    if not rows:
        raise Refusal(404, "console.error.http_404")
    done = sum(1 for r in rows if r.done and not r.refusal)
    waiting = sum(1 for r in rows if r.queued)
    refused = [
        Refused(r.number, _reason(tr, r.refusal, r.done))
        for r in rows
        if r.refusal or not (r.done or r.queued)
    ]
    return page(
        request,
        "bulk.html",
        tr.t("console.bulk.title"),
        summary=tr.t("console.bulk.summary", done=done, total=len(rows), refused=len(refused)),
        waiting=tr.t("console.bulk.waiting", count=waiting) if waiting else "",
        refused=refused,
        refresh=f"2; url={request.path_qs}" if waiting else "",
    )


def _reason(tr: Translator, refusal: str, done: bool) -> str:
    if not done:  # the bot gave up on it after its tries
        return tr.t("console.act.failed")
    return tr.t(f"case.refused.{refusal}")


async def list_form(
    request: web.Request,
    session: AsyncSession,
    config: ConsoleConfig,
    units: dict[int, Unit],
    reports: list[Report],
) -> dict[str, object]:
    """What the list's bulk form needs: which rows get a checkbox (the reports the viewer's unit
    may act on), whether they come checked (``?pilih=semua``), the actions and their choices
    (the people to assign: those of the units holding the listed reports, by unit)."""
    tr, who = translator(request), viewer(request)
    mine = [r for r in reports if may_act(who.unit.kind, who.unit.id, r.unit_id)]
    actable = [r.tracking_no for r in mine]
    targets = [u for u in units.values() if u.active]
    return {
        "bulk_people": await _people(session, units, mine),
        "bulk_actable": set(actable),
        "bulk_all": request.query.get(PICK) == "semua",
        "bulk_actions": [(a.value, tr.t(f"console.act.button.{a.value}")) for a in BULK_ACTIONS],
        "bulk_units": unit_groups(tr, config, targets) if actable else [],
        "bulk_reasons": [(r, tr.t(f"archive.reason.{r}")) for r in acting.CONSOLE_ARCHIVE_REASONS],
        "bulk_for": FIELD_CLASSES,
    }


async def _people(
    session: AsyncSession, units: dict[int, Unit], reports: list[Report]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The people of each unit holding one of ``reports`` (⭐ its named officers), by unit."""
    held = sorted({r.unit_id for r in reports if r.unit_id in units})
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for unit_id in held:
        people = await assigning.people(session, unit_id)
        if people:
            named = [
                (p.user_id, ("⭐ " if p.named else "") + (p.name or p.user_id)) for p in people
            ]
            groups.append((units[unit_id].name, named))
    return groups
