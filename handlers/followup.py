"""The reporter's side after submitting: answering the unit, adding information, confirming
that the work is done, rating it, or saying it is not done yet."""

from __future__ import annotations

from datetime import datetime

from core.inputs import says_nothing
from core.lifecycle import ReportStatus
from handlers import clips, counter_relay, evidence, relays, reporter_actions
from handlers import draft as drafts
from handlers.actions import ClearButtons, InlineKeyboard
from handlers.case import Case
from handlers.consent import ask_consent, current_citizen
from handlers.events import ButtonPress, Location, Message, Photo
from handlers.formatting import long_date
from handlers.free_text import begin_with_words
from handlers.menu import main_menu
from handlers.pending import replied_link
from handlers.routing import holder_chats
from handlers.stage_dates import report_due
from handlers.steps import ChatStep, Step, about
from handlers.turn import SCOPE_GLOBAL, Turn
from storage.models import Report
from storage.supporters import SupporterRepository

BUTTONS = frozenset({"fu", "cyes", "cno", "rate", "rskip", "pick", "picknew"})
#: Reports a message of the citizen may be meant for: still open, in these statuses.
OPEN_STATUSES = (
    ReportStatus.MENUNGGU_PELAPOR,
    ReportStatus.BARU,
    ReportStatus.DIDISPOSISI,
    ReportStatus.DIPROSES,
    ReportStatus.SELESAI,
)
#: At most this many reports are offered by "Pesan ini untuk laporan mana?".
CHOICES_MAX = 5
# A message waiting for the citizen's choice of report is kept in the draft (``held``), and
# when the citizen was last told "passed on" (``told``): see handlers/draft.py.


def _case(turn: Turn) -> Case:
    return Case(uow=turn.uow, deps=turn.deps, now=turn.now)


async def _own_report(turn: Turn, report_id: int) -> Report | None:
    """The report, only when it belongs to the citizen in this chat."""
    citizen = await current_citizen(turn)
    if citizen is None:
        return None
    report = await turn.uow.reports.get(report_id)
    return report if report is not None and report.citizen_id == citizen.id else None


async def _report_of_sender(turn: Turn, report_id: int) -> tuple[Report, bool] | None:
    """The report and whether the sender supports it (laporan serupa) rather than filed it;
    None when it is neither theirs nor one they support."""
    citizen = await current_citizen(turn)
    if citizen is None:
        return None
    report = await turn.uow.reports.get(report_id)
    if report is None:
        return None
    if report.citizen_id == citizen.id:
        return report, False
    if await SupporterRepository(turn.uow.session).supports(report.id, citizen.id):
        return report, True
    return None


def _step_report_id(turn: Turn, kind: ChatStep) -> int | None:
    step = Step.parse(turn.conversation.step)
    return step.report_id if step.kind == kind else None


async def on_reply(turn: Turn, message: Message) -> bool:
    """A reply to one of the bot's messages about a report goes to the unit."""
    link = await replied_link(turn, message)
    if link is None:
        return False
    found = await _report_of_sender(turn, link.report_id)
    if found is None:
        filed = await counter_relay.filed_by(turn.uow, link.report_id, turn.channel, turn.chat_id)
        if filed is None:
            return False
        found = filed, False  # the officer answers for the citizen they filed it for
    report, supporter = found
    await _relay(turn, report, message, supporter=supporter)
    return True


async def on_step_message(turn: Turn, message: Message) -> bool:
    """Text after "Balas" (information for the unit) or after a rating (the comment)."""
    report_id = _step_report_id(turn, ChatStep.FOLLOWUP)
    if report_id is not None:
        found = await _report_of_sender(turn, report_id)
        if found is None:
            turn.conversation.step = ChatStep.IDLE
            return False
        report, supporter = found
        # The step stays until the citizen picks something else: a photo sent after the text
        # (Telegram sends them as two messages) reaches the unit too. A supporter is in this
        # step from "👍 Dukung" on: their additions go the same way, labelled as a supporter's.
        if not await _relay(turn, report, message, supporter=supporter):
            turn.conversation.step = ChatStep.IDLE
        return True
    report_id = _step_report_id(turn, ChatStep.COMMENT)
    if report_id is None:
        return False
    turn.conversation.step = ChatStep.IDLE
    rated = await _own_report(turn, report_id)
    if rated is None or not message.text.strip():
        return False
    await reporter_actions.comment_rating(_case(turn), rated, message.text.strip())
    turn.send(turn.t("rate.thanks"), main_menu(turn.tr))
    return True


async def _relay(turn: Turn, report: Report, message: Message, *, supporter: bool = False) -> bool:
    """Pass the message on to the unit; False when the report takes no more messages. A
    ``supporter``'s message is an addition labelled as a supporter's (never who); it changes
    nothing of the report's life."""
    text = "" if says_nothing(message.text) else message.text.strip()
    if message.location is not None:
        point = turn.t(
            "followup.location",
            latitude=f"{message.location.latitude:.6f}",
            longitude=f"{message.location.longitude:.6f}",
        )
        text = f"{text}\n{point}".strip()
    checked = await evidence.inspect(turn, message.photos, 0)
    evidence.tell_refusals(turn, checked.refused)
    heard = await clips.inspect_clips(turn, message.clips, 0)
    clips.tell_clip_refusals(turn, heard.refused)
    photos = [photo for photo, _, _ in checked.accepted] + [clip for clip, _ in heard.accepted]
    if says_nothing(text) and not photos:
        if not checked.refused and not heard.refused:
            turn.send(turn.t("followup.need_text"))
        return True
    chats = await holder_chats(_case(turn), report)
    if await relays.over_budget(turn.uow, report, chats, turn.deps.config.relay_max_pending):
        turn.send(turn.t("relay.wait", number=report.tracking_no))
        return True
    if supporter:
        refused = await reporter_actions.relay_from_supporter(
            _case(turn), report, text[:3500], photos
        )
        if refused:
            turn.send(turn.t(f"followup.refused.{refused}", number=report.tracking_no))
            return False
        if _first_of_burst(turn, report):
            turn.send(turn.t("followup.relayed", number=report.tracking_no), main_menu(turn.tr))
        return True
    waiting = report.status == ReportStatus.MENUNGGU_PELAPOR
    refused = await reporter_actions.relay_from_reporter(_case(turn), report, text[:3500], photos)
    if refused in NO_LONGER_HELD:
        _offer_new_report(turn, report, refused, message)
        return False
    if refused:
        turn.send(turn.t(f"followup.refused.{refused}", number=report.tracking_no))
        return False
    if report.status == ReportStatus.SELESAI:
        _offer_reopening(turn, report)
    elif waiting and report.due_date is not None:
        # The question is answered: the clock runs again, and the reporter sees until when.
        due = report_due(turn.tr, report, turn.deps, turn.now)
        turn.send(
            turn.t("followup.resumed", number=report.tracking_no, due=due), main_menu(turn.tr)
        )
    elif _first_of_burst(turn, report):
        turn.send(turn.t("followup.relayed", number=report.tracking_no), main_menu(turn.tr))
    return True


#: Refusals of a reporter's message by a report nobody works on any more: closed for good
#: (confirmed, or closed after the quiet period) or archived.
NO_LONGER_HELD = frozenset({"closed", "archived"})


def _offer_new_report(turn: Turn, report: Report, refused: str, message: Message) -> None:
    """Nothing goes to nobody: the citizen is told the report is closed, and offered a new one
    that starts with these words (kept until then, as a message waiting for its report)."""
    _hold(turn, message)
    new = turn.button(turn.t("followup.which_new"), "picknew", scope=SCOPE_GLOBAL)
    turn.send(
        turn.t(f"followup.no_longer_held.{refused}", number=report.tracking_no),
        InlineKeyboard(rows=((new,),)),
    )


def _offer_reopening(turn: Turn, report: Report) -> None:
    """The unit said it is done and the reporter writes on: the words reach the unit (the quiet
    period before closing starts again), and the reporter is shown how to reopen it."""
    if not _first_of_burst(turn, report):
        return
    reopen = turn.button(turn.t("confirm.no"), "cno", str(report.id), scope=SCOPE_GLOBAL)
    turn.send(
        turn.t("followup.relayed_finished", number=report.tracking_no),
        InlineKeyboard(rows=((reopen,),)),
    )


def _first_of_burst(turn: Turn, report: Report) -> bool:
    """Whether to say "passed on to the officers": once per burst of messages to one report."""
    told = drafts.load(turn.conversation).told or {}
    quiet = turn.deps.config.relay_notice_quiet
    last = told.get("at", "")
    recent = (
        told.get("report") == report.id
        and bool(last)
        and turn.now - datetime.fromisoformat(last) < quiet
    )
    drafts.update(turn.conversation, told={"report": report.id, "at": turn.now.isoformat()})
    return not recent


def _is_relayable(message: Message) -> bool:
    """What can reach a unit: words, photos, a voice note or video, a location (not a sticker)."""
    return bool(
        message.text.strip() or message.photos or message.clips or message.location is not None
    )


async def on_idle_message(turn: Turn, message: Message) -> bool:
    """A message typed outside any step, by a citizen who has open reports, is never dropped.

    One report waiting for the citizen's answer (menunggu_pelapor) takes it as the answer.
    Otherwise, with open reports, the message is held and the citizen asked which report it is
    for ("Pesan ini untuk laporan mana?"), or to start a new one. False when the citizen has no
    open report (the menu's guidance answers) or the message cannot be passed on.
    """
    conv = turn.conversation
    if conv.step != ChatStep.IDLE or drafts.load(conv).in_intake or not _is_relayable(message):
        return False
    citizen = await current_citizen(turn)
    if citizen is None:
        return False
    reports = await turn.uow.reports.open_for_citizen(citizen.id, OPEN_STATUSES, limit=50)
    waiting = [r for r in reports if r.status == ReportStatus.MENUNGGU_PELAPOR]
    if len(waiting) == 1:
        await _relay(turn, waiting[0], message)
        return True
    choices = (waiting or reports)[:CHOICES_MAX]
    if not choices:
        return False
    _hold(turn, message)
    rows = [
        (turn.button(f"📄 {r.tracking_no}", "pick", str(r.id), scope=SCOPE_GLOBAL),)
        for r in choices
    ]
    rows.append((turn.button(turn.t("followup.which_new"), "picknew", scope=SCOPE_GLOBAL),))
    turn.send(turn.t("followup.which"), InlineKeyboard(rows=tuple(rows)))
    return True


def _hold(turn: Turn, message: Message) -> None:
    """Keep the message until the citizen says which report it is for (the newest one wins)."""
    held = {
        "text": message.text[:3500],
        "photos": [_held_file(p) for p in message.photos],
        "clips": [_held_file(c) for c in message.clips],
        "location": (
            [message.location.latitude, message.location.longitude] if message.location else None
        ),
        "message_id": message.message_id,
    }
    drafts.update(turn.conversation, held=held)


def _held_file(file: Photo) -> dict[str, object]:
    # ``as_file``: another messenger's file (WhatsApp) is kept as a copy when it is judged.
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "mime_type": file.mime_type,
        "file_size": file.file_size,
        "duration": file.duration,
        "as_file": file.as_file,
    }


def _take_held(turn: Turn) -> Message | None:
    held = drafts.load(turn.conversation).held
    if held is None:
        return None
    drafts.update(turn.conversation, held=None)
    point = held.get("location")
    return Message(
        channel=turn.channel,
        chat_id=turn.chat_id,
        chat_kind=turn.event.chat_kind,
        message_id=int(held.get("message_id") or 0),
        sender=turn.event.sender,
        text=str(held.get("text") or ""),
        photos=tuple(Photo(**p) for p in held.get("photos") or ()),
        clips=tuple(Photo(**c) for c in held.get("clips") or ()),
        location=Location(float(point[0]), float(point[1])) if point else None,
    )


async def _picked(turn: Turn, report: Report) -> None:
    held = _take_held(turn)
    if held is None:
        turn.answer(turn.t("button.stale"), alert=True)
        return
    turn.answer()
    _keep_answer(turn)
    await _relay(turn, report, held)


async def on_button(turn: Turn, action: str, arg: str) -> bool:
    if action not in BUTTONS:
        return False
    if action == "picknew":
        turn.answer()
        held = _take_held(turn)
        _keep_answer(turn)
        # The held words (a message for a report) open the new one's description.
        begin_with_words(turn, held.text if held is not None else "")
        return True
    report_text, _, extra = arg.partition(".")
    report = await _own_report(turn, int(report_text)) if report_text.isdigit() else None
    if report is None:
        if await current_citizen(turn) is None:
            ask_consent(turn)
        turn.answer(turn.t("button.unknown"), alert=True)
        return True
    if action == "fu":
        turn.conversation.step = about(ChatStep.FOLLOWUP, report.id)
        turn.answer()
        turn.send(turn.t("followup.ask", number=report.tracking_no))
    elif action == "cyes":
        await _confirmed(turn, report)
    elif action == "cno":
        await _reopen(turn, report)
    elif action == "rate":
        await _rated(turn, report, extra)
    elif action == "pick":
        await _picked(turn, report)
    else:
        turn.conversation.step = ChatStep.IDLE
        turn.answer()
        turn.show(turn.t("rate.thanks"), None)
    return True


def _keep_answer(turn: Turn) -> None:
    """The pressed message holds the unit's words: take its buttons off, keep the text."""
    if isinstance(turn.event, ButtonPress) and turn.event.message_id is not None:
        turn.emit(ClearButtons(chat_id=turn.chat_id, message_id=turn.event.message_id))


async def _confirmed(turn: Turn, report: Report) -> None:
    refused = await reporter_actions.confirm_done(_case(turn), report)
    if refused:
        turn.answer(turn.t(f"followup.refused.{refused}", number=report.tracking_no), alert=True)
        return
    turn.answer()
    stars = tuple(
        turn.button("⭐" * n, "rate", f"{report.id}.{n}", scope=SCOPE_GLOBAL) for n in range(1, 6)
    )
    # Nothing a unit said is overwritten: the rating question comes as a new message.
    _keep_answer(turn)
    turn.send(
        turn.t("rate.ask", number=report.tracking_no),
        InlineKeyboard(rows=(stars[:3], stars[3:])),
    )


async def _reopen(turn: Turn, report: Report) -> None:
    refused = await reporter_actions.reopen(_case(turn), report)
    if refused:
        turn.answer(turn.t(f"followup.refused.{refused}", number=report.tracking_no), alert=True)
        return
    turn.answer()
    turn.conversation.step = about(ChatStep.FOLLOWUP, report.id)
    due = long_date(report.due_date, turn.conversation.language) if report.due_date else "-"
    _keep_answer(turn)
    turn.send(turn.t("followup.reopened", number=report.tracking_no, due=due))


async def _rated(turn: Turn, report: Report, extra: str) -> None:
    if not extra.isdigit():
        turn.answer(turn.t("button.unknown"), alert=True)
        return
    refused = await reporter_actions.rate(_case(turn), report, int(extra))
    if refused:
        turn.answer(turn.t(f"followup.refused.{refused}", number=report.tracking_no), alert=True)
        return
    turn.answer()
    turn.conversation.step = about(ChatStep.COMMENT, report.id)
    skip = turn.button(turn.t("rate.skip"), "rskip", str(report.id), scope=SCOPE_GLOBAL)
    turn.show(turn.t("rate.comment_ask", rating=int(extra)), InlineKeyboard(rows=((skip,),)))
