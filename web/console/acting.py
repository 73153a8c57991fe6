"""Acting on a report from the console: the forms on its page, and the POST that queues one.

The console does not change a report itself: it stores the officer's request
(``storage.console.queue_request``), which the bot's inbox worker takes through the same use case
as the group's button (docs/console.md, "Acting from the console"). What the console checks
first is only what it can say at once, with the rules the bot applies (``core.permissions``):
the report is the viewer's unit's (the coordinator's acts on any), the form was shown for the
status the report still has, the lifecycle allows the action in it, the words are there and
not too long. The bot checks all of it again when it takes the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.decisions import DUPLICATE_REASON
from core.inputs import clean_text, says_nothing
from core.lifecycle import ReportStatus
from core.limits import OFFICER_NOTE_MAX
from core.permissions import (
    ARCHIVE_REASONS,
    CaseAction,
    actor_kind,
    may_act,
    refusal,
)
from locales import Translator
from storage.console import CONSOLE_ACTIONS, queue_request, request_of, still_queued
from storage.models import ConsoleRequest, Report, Unit
from web.console import merging, referring
from web.console.audit import AuditAction, record
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, Refusal
from web.console.unit_choices import unit_groups

#: The actions that need the officer's words (a transfer's are its reason).
WORDED = frozenset(
    {
        CaseAction.ASK,
        CaseAction.ANSWER,
        CaseAction.NOTE,
        CaseAction.DONE,
        CaseAction.TRANSFER,
        CaseAction.INTERNAL_NOTE,
    }
)
#: The archive reasons the archive form offers (a duplicate has its own form, with the original).
CONSOLE_ARCHIVE_REASONS = tuple(r for r in ARCHIVE_REASONS if r != DUPLICATE_REASON)
#: The change of category's field (the new category's code).
CATEGORY_FIELD = "kategori"
#: The query parameter naming the request whose outcome the report's page shows.
REQUEST_PARAM = "tindakan"


def offered(who: Viewer, report: Report) -> list[CaseAction]:
    """The console's actions the viewer may take on ``report`` now (the lifecycle's rule)."""
    if not may_act(who.unit.kind, who.unit.id, report.unit_id):
        return []
    kind = actor_kind(who.unit.kind)
    return [a for a in CONSOLE_ACTIONS if not refusal(a, ReportStatus(report.status), kind)]


@dataclass(frozen=True)
class Forms:
    """What the report page's action forms need."""

    actions: list[str]
    status: str
    unit_groups: list[tuple[str, list[tuple[str, str]]]]
    reasons: list[tuple[str, str]]
    note_max: int = OFFICER_NOTE_MAX
    #: Archiving as a duplicate: the similar open reports offered as its original.
    originals: list[tuple[str, str]] = field(default_factory=list)
    #: A change of category: every category but the report's own (code, name).
    categories: list[tuple[str, str]] = field(default_factory=list)
    #: A referral: the outside bodies on the list now (number, name).
    bodies: list[tuple[str, str]] = field(default_factory=list)


async def forms(
    session: AsyncSession,
    tr: Translator,
    config: ConsoleConfig,
    who: Viewer,
    report: Report,
    units: dict[int, Unit],
) -> Forms:
    """The forms of the actions :func:`offered` (a transfer to any other active unit; an
    archive as a duplicate of a similar open report)."""
    actions = offered(who, report)
    targets = [u for u in units.values() if u.active and u.id != report.unit_id]
    merge = CaseAction.ARCHIVE in actions
    return Forms(
        actions=[a.value for a in actions],
        status=report.status,
        unit_groups=unit_groups(tr, config, targets) if CaseAction.TRANSFER in actions else [],
        reasons=[(r, tr.t(f"archive.reason.{r}")) for r in CONSOLE_ARCHIVE_REASONS],
        originals=await merging.choices(session, tr, config, who, report) if merge else [],
        categories=[
            (c.code, c.name_en if tr.language == "en" else c.name_id)
            for c in config.categories
            if c.code != report.category
        ],
        bodies=await referring.choices(session) if CaseAction.REFER in actions else [],
    )


@dataclass(frozen=True)
class Outcome:
    """A queued request as the report's page says it: still waiting for the bot, or what came."""

    text: str
    waiting: bool
    refused: bool = False


async def outcome(
    session: AsyncSession, tr: Translator, report: Report, raw: str
) -> Outcome | None:
    """The outcome of request ``raw`` (the page's ``?tindakan=``) on ``report``; None if none."""
    if not raw.isdigit() or len(raw) > 12:
        return None
    found = await request_of(session, int(raw), report.id)
    if found is None:
        return None
    if found.done_at is None and await still_queued(session, found.id):
        return Outcome(tr.t("console.act.waiting"), waiting=True)
    if found.done_at is None:  # the inbox gave up on it after its tries (logged there)
        return Outcome(tr.t("console.act.failed"), waiting=False, refused=True)
    if found.refusal:
        reason = tr.t(f"case.refused.{found.refusal}")
        return Outcome(tr.t("console.act.refused", reason=reason), waiting=False, refused=True)
    done = "dup" if found.original_id else found.action
    return Outcome(tr.t(f"console.act.done.{done}"), waiting=False)


async def asked_by(session: AsyncSession, who: Viewer, raw: str) -> bool:
    """Whether request ``raw`` was asked in the viewer's session."""
    found = (
        await session.get(ConsoleRequest, int(raw)) if raw.isdigit() and len(raw) <= 12 else None
    )
    return found is not None and found.session_id == who.session.id


def action_of(raw: str) -> CaseAction:
    for action in CONSOLE_ACTIONS:
        if action.value == raw:
            return action
    raise Refusal(400, "console.act.error.unknown_action")


def words(action: CaseAction, raw: str) -> str:
    """The officer's words, cleaned; a :class:`Refusal` when too long or missing but needed."""
    text = clean_text(raw).strip()
    if len(text) > OFFICER_NOTE_MAX:
        raise Refusal(400, "console.act.error.too_long", limit=OFFICER_NOTE_MAX)
    if action in WORDED and says_nothing(text):
        raise Refusal(400, f"console.act.error.words_needed.{action.value}")
    return text


async def unit_by_code(session: AsyncSession, code: str) -> Unit:
    """A transfer's destination: an active unit."""
    unit = await session.scalar(select(Unit).where(Unit.code == code[:64])) if code else None
    if unit is None or not unit.active:
        raise Refusal(400, "case.refused.unknown_unit")
    return unit


def category_of(config: ConsoleConfig, report: Report, code: str) -> str:
    """A change of category's new code (carried as the request's ``reason``): a category, not
    the one the report has."""
    category = config.category(code[:40])
    if category is None:
        raise Refusal(400, "case.refused.unknown_category")
    if category.code == report.category:
        raise Refusal(409, "case.refused.same_category")
    return category.code


def check_allowed(
    who: Viewer, report: Report, action: CaseAction, to_unit: Unit | None = None
) -> None:
    """What the bot would refuse at once: another unit's report, a status that does not allow
    ``action``, a transfer to the unit that holds it."""
    if not may_act(who.unit.kind, who.unit.id, report.unit_id):
        raise Refusal(403, "case.refused.not_yours")
    reason_key = refusal(action, ReportStatus(report.status), actor_kind(who.unit.kind))
    if reason_key:
        raise Refusal(409, f"case.refused.{reason_key}")
    if to_unit is not None and to_unit.id == report.unit_id:
        raise Refusal(409, "case.refused.same_unit")


def request_row(
    config: ConsoleConfig,
    who: Viewer,
    report: Report,
    action: CaseAction,
    *,
    note: str = "",
    reason: str = "",
    to_unit: Unit | None = None,
    original: Report | None = None,
    batch_id: int | None = None,
) -> ConsoleRequest:
    """The request for the bot, in the viewer's name."""
    return ConsoleRequest(
        report_id=report.id,
        action=action.value,
        note=note,
        reason=reason,
        to_unit_id=to_unit.id if to_unit else None,
        unit_id=who.unit.id,
        user_id=who.session.user_id,
        user_name=who.session.user_name,
        session_id=who.session.id,
        created_at=config.clock(),
        done_at=None,
        refusal="",
        original_id=original.id if original else None,
        batch_id=batch_id,
    )


async def queue(request: web.Request, session: AsyncSession, who: Viewer, report: Report) -> int:
    """Check the form of ``POST /laporan/N/tindakan`` (its token already checked) against
    ``report``, queue the request for the bot and audit it (the caller commits); its id.
    Anything the console can refuse at once is a :class:`Refusal`."""
    config: ConsoleConfig = request.config_dict[CONFIG]
    form = await request.post()
    action = action_of(str(form.get("aksi", "")))
    if not may_act(who.unit.kind, who.unit.id, report.unit_id):
        raise Refusal(403, "case.refused.not_yours")
    if str(form.get("status", "")) != report.status:
        raise Refusal(409, "console.act.error.stale")
    check_allowed(who, report, action)
    note = words(action, str(form.get("teks", "")))
    reason, original = "", None
    if action == CaseAction.ARCHIVE:
        reason = str(form.get("alasan", ""))
        if reason not in ARCHIVE_REASONS:
            raise Refusal(400, "case.refused.reason_required")
        if reason == DUPLICATE_REASON:
            typed, picked = str(form.get(merging.TYPED, "")), str(form.get(merging.PICKED, ""))
            original = await merging.original_of(session, who, report, typed, picked)
    if action == CaseAction.RECATEGORIZE:
        reason = category_of(config, report, str(form.get(CATEGORY_FIELD, "")))
    if action == CaseAction.REFER:
        reason = await referring.body_of(session, str(form.get(referring.FIELD, "")))
    to_unit = None
    if action == CaseAction.TRANSFER:
        to_unit = await unit_by_code(session, str(form.get("unit", "")))
        check_allowed(who, report, action, to_unit)
    row = request_row(
        config, who, report, action, note=note, reason=reason, to_unit=to_unit, original=original
    )
    queued = await queue_request(session, row)
    record(session, request, AuditAction.ACT, f"{report.tracking_no} {action}")
    return queued
