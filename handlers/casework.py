"""Case work (penanganan laporan): routing, officers' actions, relays both ways, and every
message these cause for the unit groups and the reporter.

Handlers (and, later, scheduled jobs) call these functions inside their unit of work; every
message is an outbox row in the same transaction, and every message about a report carries a
purpose so that, once sent, it becomes a reply path (``message_links``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from core.casework import CaseAction, UnitKind, next_status, refusal
from core.categories import category_by_code
from core.deadlines import due_date, first_notice_on, local_date
from core.lifecycle import ReportStatus, ReportType
from core.routing import COORDINATOR, Target, candidates, choose
from handlers import relays
from handlers.actions import (
    EditText,
    InlineButton,
    InlineKeyboard,
    MediaItem,
    SendMedia,
    SendText,
    action_to_dict,
)
from handlers.cards import CardView, card_keyboard, card_text
from handlers.deps import HandlerDeps
from handlers.events import Photo
from handlers.formatting import long_date
from handlers.turn import global_button
from locales import Translator
from storage.models import Report, ReportEvent, Unit, UnitChat
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

ACTOR_REPORTER = "pelapor"
ACTOR_SYSTEM = "sistem"
#: Purposes of messages about a report (see storage.models.MessageLink).
CARD = "card"
ALBUM = "album"
RELAY = "relay"
PROMPT = "prompt"
NOTICE = "notice"


@dataclass(frozen=True)
class Officer:
    """The person acting in a unit group (a Telegram user), and the unit of that group."""

    user_id: str
    name: str
    unit: Unit

    @property
    def actor(self) -> str:
        return f"petugas:{self.user_id}:{self.name}"[:64]


@dataclass
class Case:
    """The context every case-work function needs: one unit of work and the moment."""

    uow: UnitOfWork
    deps: HandlerDeps
    now: datetime

    def tr(self, language: str | None) -> Translator:
        return self.deps.catalogs.get(language)

    def emit(
        self,
        channel: str,
        action: SendText | SendMedia | EditText,
        report: Report,
        *,
        purpose: str = "",
        link_action: str = "",
    ) -> None:
        self.uow.outbox.add(
            channel=channel,
            chat_id=action.chat_id,
            payload=action_to_dict(action),
            now=self.now,
            report_id=report.id,
            purpose=purpose,
            link_action=link_action,
        )


# --- routing -----------------------------------------------------------------------------


async def _target_unit(uow: UnitOfWork, target: Target) -> Unit | None:
    if target.kind == "coordinator":
        return await uow.units.coordinator()
    if target.kind == "opd":
        return await uow.units.by_code(target.key)
    return await uow.units.by_area(target.key)


async def route(case: Case, report: Report) -> tuple[Unit | None, bool]:
    """The unit that must act on ``report`` and whether routing fell back up the ladder."""
    category = category_by_code(case.deps.categories, report.category)
    targets = candidates(category, report.region_code) if category else (COORDINATOR,)
    with_chats = await case.uow.units.unit_ids_with_chats()
    units: list[Unit] = []
    for target in targets:
        unit = await _target_unit(case.uow, target)
        if unit is not None and unit.active:
            units.append(unit)
    if not units:
        return None, False
    return choose(units, lambda unit: unit.id in with_chats)


def today(case: Case) -> date:
    """The local calendar date of the case's moment (deadlines are local dates)."""
    return local_date(case.now, case.deps.config.timezone)


def start_clock(case: Case, report: Report) -> None:
    """A new report's clocks: verification deadline, and the day Ombudsman RI becomes its route."""
    set_stage_deadline(case, report)
    policy = case.deps.config.deadlines
    report.ombudsman_on = case.deps.calendar.add_working_days(today(case), policy.ombudsman)


def set_stage_deadline(case: Case, report: Report, *, days_left: int | None = None) -> None:
    """The deadline of the stage the report is in now, counted from today (``days_left``: what
    a paused stage had left), and the day the clock looks at it next. A stage without a clock
    (waiting for the reporter, archived) has neither."""
    status = ReportStatus(report.status)
    category = category_by_code(case.deps.categories, report.category)
    days = case.deps.config.deadlines.stage_days(
        status,
        ReportType(report.report_type),
        pengawasan=category is not None and category.pengawasan,
    )
    if status != ReportStatus.MENUNGGU_PELAPOR:
        report.paused_at = None
        report.paused_days_left = None
    if days is None:
        report.due_date = None
        report.next_notice_on = None
        return
    cal, tz = case.deps.calendar, case.deps.config.timezone
    report.due_date = due_date(case.now, cal, tz, days if days_left is None else days_left)
    report.next_notice_on = first_notice_on(status, report.due_date, today(case), cal)


def pause_clock(case: Case, report: Report) -> None:
    """Keep what the stage had left; the reporter's answer gives it back (the clock pauses)."""
    start = today(case)
    if report.due_date is not None:
        left = case.deps.calendar.working_days_between(start, report.due_date)
        report.paused_days_left = left
    report.paused_at = case.now


def resume_clock(case: Case, report: Report) -> int | None:
    """Working days the resumed stage has left; the Ombudsman day moves by the pause."""
    if report.paused_at is None:
        return None
    cal = case.deps.calendar
    paused = cal.working_days_between(
        local_date(report.paused_at, case.deps.config.timezone), today(case)
    )
    if report.ombudsman_on is not None and paused:
        report.ombudsman_on = cal.add_working_days(report.ombudsman_on, paused)
    return report.paused_days_left


def close_for_good(case: Case, report: Report) -> None:
    """``selesai`` becomes final: no reopening, no clock."""
    report.closed_at = case.now
    report.due_date = None
    report.next_notice_on = None


def _event(
    case: Case,
    report: Report,
    kind: str,
    *,
    actor: str,
    status_from: str | None = None,
    note: str = "",
    unit: Unit | None = None,
    to_unit: Unit | None = None,
) -> None:
    case.uow.reports.add_event(
        ReportEvent(
            report_id=report.id,
            kind=kind,
            status_from=status_from,
            status_to=report.status if status_from is not None else None,
            actor=actor,
            note=note,
            unit_id=unit.id if unit else None,
            to_unit_id=to_unit.id if to_unit else None,
            created_at=case.now,
        )
    )


async def deliver_new_report(case: Case, report: Report) -> Unit | None:
    """Route a just-submitted report and post its card where it must be seen."""
    unit, fell_back = await route(case, report)
    if unit is None:
        # No unit registry at all: the report still exists and is counted as new; the
        # coordinator's /antrian shows it once units are seeded and a group is bound.
        log.warning("report %d could not be routed: no units are registered", report.id)
        return None
    report.unit_id = unit.id
    _event(
        case,
        report,
        "routed_fallback" if fell_back else "routed",
        actor=ACTOR_SYSTEM,
        note=unit.name,
        to_unit=unit,
    )
    await post_cards(case, report, unit)
    return unit


async def _evidence(case: Case, report: Report) -> list[MediaItem]:
    """The report's evidence photos, as they are sent on (images sent as files stay files)."""
    photos = await case.uow.reports.photos_of(report.id)
    return [_as_media(p.file_id, p.mime_type) for p in photos]


def _as_media(file_id: str, mime_type: str) -> MediaItem:
    # Telegram re-encodes photos as JPEG; any other type arrived as a file and goes on as one.
    return MediaItem(file_id, as_document=mime_type != "image/jpeg")


async def coordinator_chats(case: Case) -> list[UnitChat]:
    coordinator = await case.uow.units.coordinator()
    return await case.uow.units.chats_of(coordinator.id) if coordinator else []


async def _view(
    case: Case, report: Report, unit: Unit | None, *, coordinator: bool, photo_count: int
) -> CardView:
    return CardView(
        unit=unit,
        citizen=await case.uow.citizens.by_id(report.citizen_id),
        show_identity=coordinator and case.deps.config.coordinator_sees_identity,
        coordinator=coordinator,
        photo_count=photo_count,
    )


def _media_actions(
    chat_id: str, items: Sequence[MediaItem], *, reply_to_card: bool = True
) -> list[SendMedia]:
    """Photos as one album and image files as another (Telegram does not mix them)."""
    actions: list[SendMedia] = []
    for as_document in (False, True):
        group = tuple(item for item in items if item.as_document == as_document)
        for start in range(0, len(group), 10):
            actions.append(
                SendMedia(
                    chat_id=chat_id,
                    items=group[start : start + 10],
                    reply_to_purpose=CARD if reply_to_card else "",
                )
            )
    return actions


async def post_card(case: Case, report: Report, unit: Unit | None, chat: UnitChat) -> None:
    """The full card with buttons, then the evidence photos as an album replying to it."""
    tr = case.tr(chat.language)
    evidence = await _evidence(case, report)
    coordinator = await _is_coordinator_chat(case, chat)
    view = await _view(case, report, unit, coordinator=coordinator, photo_count=len(evidence))
    text = card_text(tr, case.deps, report, view)
    case.emit(
        chat.channel,
        SendText(chat_id=chat.chat_id, text=text, markup=card_keyboard(tr, case.deps, report)),
        report,
        purpose=CARD,
    )
    for action in _media_actions(chat.chat_id, evidence):
        case.emit(chat.channel, action, report, purpose=ALBUM)


async def _is_coordinator_chat(case: Case, chat: UnitChat) -> bool:
    unit = await case.uow.units.get(chat.unit_id)
    return unit is not None and unit.kind == UnitKind.COORDINATOR


async def post_cards(case: Case, report: Report, unit: Unit) -> None:
    """Cards in the holder's groups, and in the coordinator's (full card or a summary line)."""
    holder_chats = await case.uow.units.chats_of(unit.id)
    for chat in holder_chats:
        await post_card(case, report, unit, chat)
    if unit.kind == UnitKind.COORDINATOR:
        return
    for chat in await coordinator_chats(case):
        if case.deps.config.coordinator_summaries_only:
            tr = case.tr(chat.language)
            text = tr.t("coordinator.summary", number=report.tracking_no, unit=unit.name)
            case.emit(
                chat.channel, SendText(chat_id=chat.chat_id, text=text), report, purpose=RELAY
            )
        else:
            await post_card(case, report, unit, chat)


async def refresh_cards(case: Case, report: Report) -> None:
    """Edit the report's cards in the holder's and the coordinator's groups to its new state."""
    unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    chats = await case.uow.units.chats_of(unit.id) if unit else []
    if unit is None or unit.kind != UnitKind.COORDINATOR:
        chats += await coordinator_chats(case)
    for chat in chats:
        await _edit_card(case, report, unit, chat, moved_to=None)


async def _edit_card(
    case: Case, report: Report, unit: Unit | None, chat: UnitChat, *, moved_to: Unit | None
) -> None:
    link = await case.uow.links.latest(chat.channel, chat.chat_id, report.id, CARD)
    if link is None:
        # The card is not sent yet (or the chat was bound after it): nothing to edit.
        return
    tr = case.tr(chat.language)
    coordinator = await _is_coordinator_chat(case, chat)
    photo_count = len(await case.uow.reports.photos_of(report.id))
    view = await _view(case, report, unit, coordinator=coordinator, photo_count=photo_count)
    if moved_to is not None:
        view = replace(view, moved_to=moved_to)
    markup = None if moved_to is not None else card_keyboard(tr, case.deps, report)
    text = card_text(tr, case.deps, report, view)
    edit = EditText(chat_id=chat.chat_id, message_id=link.message_id, text=text, markup=markup)
    case.emit(chat.channel, edit, report)


# --- telling the reporter ------------------------------------------------------------------


async def notify_reporter(
    case: Case, report: Report, key: str, *, reply_button: bool = True, **values: object
) -> None:
    """A message to the reporter in their language; replying to it reaches the unit."""
    citizen = await case.uow.citizens.by_id(report.citizen_id)
    if citizen is None:
        return
    tr = case.tr(citizen.language)
    text = tr.t(key, number=report.tracking_no, **values)
    markup = reply_markup(case, tr, report) if reply_button else None
    case.emit(
        report.channel,
        SendText(chat_id=citizen.chat_id, text=text[:4096], markup=markup),
        report,
        purpose=NOTICE,
    )


def reply_markup(case: Case, tr: Translator, report: Report) -> InlineKeyboard:
    return InlineKeyboard(rows=((_citizen_button(case, tr.t("followup.button"), "fu", report),),))


def _citizen_button(
    case: Case, text: str, action: str, report: Report, extra: str = ""
) -> InlineButton:
    arg = f"{report.id}" + (f".{extra}" if extra else "")
    return global_button(case.deps, text, action, arg)


async def _unit_name(case: Case, report: Report) -> str:
    unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    return unit.name if unit else "-"


def _due_text(report: Report, language: str) -> str:
    return long_date(report.due_date, language) if report.due_date else "-"


# --- officers' actions ---------------------------------------------------------------------


async def act(
    case: Case,
    report: Report,
    action: CaseAction,
    officer: Officer,
    *,
    note: str = "",
    to_unit: Unit | None = None,
    reason: str = "",
    photos: Sequence[Photo] = (),
) -> str:
    """Apply an officer's action; returns a refusal reason key, or '' when it was done."""
    status = ReportStatus(report.status)
    refused = refusal(action, status)
    if refused:
        return refused
    if action == CaseAction.TRANSFER:
        return await _transfer(case, report, officer, to_unit, note)
    before = report.status
    if action == CaseAction.ASK:
        report.paused_status = report.status
        pause_clock(case, report)
    report.status = next_status(action, status).value
    report.updated_at = case.now
    set_stage_deadline(case, report)
    if report.status == ReportStatus.SELESAI:
        report.selesai_at = case.now
    event_note = note or reason
    _event(
        case,
        report,
        action.value,
        actor=officer.actor,
        status_from=before,
        note=event_note,
        unit=officer.unit,
    )
    await _send_photos_to_reporter(case, report, photos)
    await _tell_reporter_of(case, report, action, officer, note=note, reason=reason)
    await refresh_cards(case, report)
    return ""


async def _send_photos_to_reporter(case: Case, report: Report, photos: Sequence[Photo]) -> None:
    citizen = await case.uow.citizens.by_id(report.citizen_id) if photos else None
    if citizen is None:
        return
    for action in _media_actions(citizen.chat_id, media_items(photos), reply_to_card=False):
        case.emit(report.channel, action, report, purpose=NOTICE)


def _sender_name(case: Case, officer: Officer) -> str:
    if officer.unit.show_officer_name and officer.name:
        return f"{officer.unit.name} ({officer.name})"
    return officer.unit.name


async def _tell_reporter_of(
    case: Case, report: Report, action: CaseAction, officer: Officer, *, note: str, reason: str
) -> None:
    citizen = await case.uow.citizens.by_id(report.citizen_id)
    language = citizen.language if citizen else None
    due = _due_text(report, language or "id")
    sender = _sender_name(case, officer)
    if action == CaseAction.VERIFY:
        unit = await _unit_name(case, report)
        await notify_reporter(case, report, "notify.verified", unit=unit, due=due)
    elif action == CaseAction.ASK:
        await notify_reporter(case, report, "notify.question", unit=sender, text=note)
    elif action == CaseAction.NOTE:
        await notify_reporter(case, report, "notify.followup", unit=sender, text=note, due=due)
    elif action == CaseAction.DONE:
        await _ask_confirmation(case, report, sender, note)
    elif action == CaseAction.ARCHIVE:
        label = case.tr(language).t(f"archive.reason.{reason}") if reason else "-"
        await notify_reporter(
            case, report, "notify.archived", reply_button=False, reason=label, note=note or "-"
        )


async def _ask_confirmation(case: Case, report: Report, sender: str, answer: str) -> None:
    citizen = await case.uow.citizens.by_id(report.citizen_id)
    if citizen is None:
        return
    tr = case.tr(citizen.language)
    due = _due_text(report, citizen.language)
    text = tr.t("notify.done", number=report.tracking_no, unit=sender, text=answer, due=due)
    markup = InlineKeyboard(
        rows=(
            (
                _citizen_button(case, tr.t("confirm.yes"), "cyes", report),
                _citizen_button(case, tr.t("confirm.no"), "cno", report),
            ),
        )
    )
    case.emit(
        report.channel,
        SendText(chat_id=citizen.chat_id, text=text[:4096], markup=markup),
        report,
        purpose=NOTICE,
    )


async def _transfer(
    case: Case, report: Report, officer: Officer, to_unit: Unit | None, reason: str
) -> str:
    if to_unit is None or not to_unit.active:
        return "unknown_unit"
    if to_unit.id == report.unit_id:
        return "same_unit"
    old_unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    before = report.status
    report.status = next_status(CaseAction.TRANSFER, ReportStatus(report.status)).value
    report.paused_status = None
    report.unit_id = to_unit.id
    report.updated_at = case.now
    set_stage_deadline(case, report)
    _event(
        case,
        report,
        CaseAction.TRANSFER.value,
        actor=officer.actor,
        status_from=before,
        note=reason,
        unit=officer.unit,
        to_unit=to_unit,
    )
    # The card moves: the old unit's card says where it went and loses its buttons.
    if old_unit is not None and old_unit.kind != UnitKind.COORDINATOR:
        for chat in await case.uow.units.chats_of(old_unit.id):
            await _edit_card(case, report, old_unit, chat, moved_to=to_unit)
    destination, _ = await _reachable(case, to_unit)
    for chat in await case.uow.units.chats_of(destination.id):
        await post_card(case, report, to_unit, chat)
    for chat in await coordinator_chats(case):
        if destination.kind != UnitKind.COORDINATOR:
            await _edit_card(case, report, to_unit, chat, moved_to=None)
    citizen = await case.uow.citizens.by_id(report.citizen_id)
    due = _due_text(report, citizen.language if citizen else "id")
    await notify_reporter(
        case, report, "notify.transferred", unit=to_unit.name, reason=reason or "-", due=due
    )
    return ""


async def _reachable(case: Case, unit: Unit) -> tuple[Unit, bool]:
    """A unit without a group cannot see a transferred card: show it to the coordinator."""
    if await case.uow.units.chats_of(unit.id):
        return unit, False
    coordinator = await case.uow.units.coordinator()
    return (coordinator or unit), True


# --- relays -----------------------------------------------------------------------------


def media_items(photos: Sequence[Photo]) -> list[MediaItem]:
    return [_as_media(p.file_id, p.mime_type) for p in photos]


async def answer_reporter(
    case: Case, report: Report, officer: Officer, text: str, photos: Sequence[Photo]
) -> str:
    """An officer's reply, relayed to the reporter as the unit's answer."""
    status = ReportStatus(report.status)
    refused = refusal(CaseAction.ANSWER, status)
    if refused:
        return refused
    citizen = await case.uow.citizens.by_id(report.citizen_id)
    if citizen is None:
        return "not_allowed"
    before = report.status
    report.status = next_status(CaseAction.ANSWER, status).value
    report.updated_at = case.now
    if report.status != before:
        set_stage_deadline(case, report)
    _event(
        case,
        report,
        CaseAction.ANSWER.value,
        actor=officer.actor,
        status_from=before if report.status != before else None,
        note=text,
        unit=officer.unit,
    )
    tr = case.tr(citizen.language)
    body = tr.t(
        # A first answer starts the finishing stage: the reporter sees its new date.
        "notify.answer_due" if report.status != before else "notify.answer",
        number=report.tracking_no,
        unit=_sender_name(case, officer),
        text=text or "-",
        due=_due_text(report, citizen.language),
    )
    await _send_photos_to_reporter(case, report, photos)
    case.emit(
        report.channel,
        SendText(chat_id=citizen.chat_id, text=body[:4096], markup=reply_markup(case, tr, report)),
        report,
        purpose=NOTICE,
    )
    if report.status != before:
        await refresh_cards(case, report)
    return ""


async def relay_from_reporter(
    case: Case, report: Report, text: str, photos: Sequence[Photo]
) -> str:
    """The reporter's answer or added information, into the holder's groups as a reply to the
    card. Answers a pending question (the clock runs again). Returns a refusal key or ''."""
    status = ReportStatus(report.status)
    if status == ReportStatus.DIARSIPKAN:
        return "archived"
    resumed = status == ReportStatus.MENUNGGU_PELAPOR
    before = report.status
    if resumed:
        paused = ReportStatus(report.paused_status) if report.paused_status else None
        days_left = resume_clock(case, report)
        report.status = next_status(CaseAction.RESUME, status, paused).value
        report.paused_status = None
        set_stage_deadline(case, report, days_left=days_left)
    elif status == ReportStatus.SELESAI and report.closed_at is None:
        # The reporter is not silent: the quiet period before closing starts again.
        set_stage_deadline(case, report)
    report.updated_at = case.now
    _event(
        case,
        report,
        "reporter_answer" if resumed else "reporter_info",
        actor=ACTOR_REPORTER,
        status_from=before if resumed else None,
        note=text,
    )
    items = media_items(photos)
    for chat in await holder_chats(case, report):
        await relays.queue_text(
            case.uow, case.tr(chat.language), report, chat, text or "📷", case.now
        )
        for action in _media_actions(chat.chat_id, items):
            case.emit(chat.channel, action, report, purpose=RELAY)
    if resumed:
        await refresh_cards(case, report)
    return ""


async def holder_chats(case: Case, report: Report) -> list[UnitChat]:
    unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    if unit is None:
        return await coordinator_chats(case)
    destination, _ = await _reachable(case, unit)
    return await case.uow.units.chats_of(destination.id)


async def _to_holder_groups(
    case: Case, report: Report, key: str, *, photos: Sequence[Photo] = (), **values: object
) -> None:
    items = media_items(photos)
    for chat in await holder_chats(case, report):
        tr = case.tr(chat.language)
        text = tr.t(key, number=report.tracking_no, **values)
        case.emit(
            chat.channel,
            SendText(chat_id=chat.chat_id, text=text[:4096], reply_to_purpose=CARD),
            report,
            purpose=RELAY,
        )
        for action in _media_actions(chat.chat_id, items):
            case.emit(chat.channel, action, report, purpose=RELAY)


async def _to_coordinator_groups(case: Case, report: Report, key: str, **values: object) -> None:
    unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    if unit is not None and unit.kind == UnitKind.COORDINATOR:
        return  # the holder's groups already got it
    for chat in await coordinator_chats(case):
        tr = case.tr(chat.language)
        text = tr.t(key, number=report.tracking_no, **values)
        case.emit(
            chat.channel,
            SendText(chat_id=chat.chat_id, text=text, reply_to_purpose=CARD),
            report,
            purpose=RELAY,
        )


def undeliverable_handler(
    deps: HandlerDeps,
) -> Callable[[UnitOfWork, int, str], Awaitable[None]]:
    """What the outbox worker calls when a message to a reporter failed for good."""

    async def handle(uow: UnitOfWork, report_id: int, error: str) -> None:
        report = await uow.reports.get(report_id)
        if report is not None:
            await reporter_unreachable(Case(uow=uow, deps=deps, now=deps.clock()), report, error)

    return handle


async def reporter_unreachable(case: Case, report: Report, error: str) -> None:
    """A message to the reporter failed for good (blocked the bot, account gone): the holder's
    groups and the coordinator are told, so nobody believes the reporter was answered."""
    lowered = error.lower()
    if "blocked" in lowered or "kicked" in lowered:
        reason = "blocked"
    elif "not found" in lowered or "deactivated" in lowered:
        reason = "gone"
    else:
        reason = "other"
    _event(case, report, "undeliverable", actor=ACTOR_SYSTEM, note=reason)
    await _to_holder_groups(case, report, f"delivery.failed.{reason}")
    await _to_coordinator_groups(case, report, f"delivery.failed.{reason}")


# --- the reporter closes the loop -----------------------------------------------------------


async def confirm_done(case: Case, report: Report) -> str:
    if report.status != ReportStatus.SELESAI:
        return "not_finished"
    close_for_good(case, report)
    _event(case, report, "confirmed", actor=ACTOR_REPORTER)
    return ""


async def reopen(case: Case, report: Report) -> str:
    """The reporter says "belum selesai": back to the unit, and the coordinator sees it."""
    status = ReportStatus(report.status)
    refused = refusal(CaseAction.REOPEN, status)
    if refused:
        return refused
    if report.closed_at is not None:
        return "closed"
    before = report.status
    report.status = next_status(CaseAction.REOPEN, status).value
    report.selesai_at = None
    report.updated_at = case.now
    set_stage_deadline(case, report)
    _event(case, report, CaseAction.REOPEN.value, actor=ACTOR_REPORTER, status_from=before)
    await _to_holder_groups(case, report, "group.reopened")
    await _to_coordinator_groups(case, report, "group.reopened")
    await refresh_cards(case, report)
    return ""


async def rate(case: Case, report: Report, rating: int) -> str:
    if report.status != ReportStatus.SELESAI:
        return "not_finished"
    if not 1 <= rating <= 5:
        return "not_allowed"
    report.rating = rating
    report.updated_at = case.now
    _event(case, report, "rated", actor=ACTOR_REPORTER, note=str(rating))
    await _to_holder_groups(case, report, "group.rated", rating=rating)
    await refresh_cards(case, report)
    return ""


async def comment_rating(case: Case, report: Report, comment: str) -> None:
    report.rating_comment = comment[:1000]
    _event(case, report, "rating_comment", actor=ACTOR_REPORTER, note=comment[:1000])
    await _to_holder_groups(case, report, "group.rating_comment", text=comment[:1000])
