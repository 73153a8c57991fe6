"""The reporter's side after submitting: answering the unit, adding information, confirming
that the work is done, rating it, or saying it is not done yet."""

from __future__ import annotations

from core.inputs import says_nothing
from core.lifecycle import ReportStatus
from handlers import evidence, relays, reporter_actions
from handlers.actions import InlineKeyboard
from handlers.case import Case
from handlers.consent import ask_consent, current_citizen
from handlers.events import Message
from handlers.formatting import long_date
from handlers.menu import main_menu
from handlers.routing import holder_chats
from handlers.steps import ChatStep, Step, about
from handlers.turn import SCOPE_GLOBAL, Turn
from storage.models import Report

BUTTONS = frozenset({"fu", "cyes", "cno", "rate", "rskip"})


def _case(turn: Turn) -> Case:
    return Case(uow=turn.uow, deps=turn.deps, now=turn.now)


async def _own_report(turn: Turn, report_id: int) -> Report | None:
    """The report, only when it belongs to the citizen in this chat."""
    citizen = await current_citizen(turn)
    if citizen is None:
        return None
    report = await turn.uow.reports.get(report_id)
    return report if report is not None and report.citizen_id == citizen.id else None


def _step_report_id(turn: Turn, kind: ChatStep) -> int | None:
    step = Step.parse(turn.conversation.step)
    return step.report_id if step.kind == kind else None


async def on_reply(turn: Turn, message: Message) -> bool:
    """A reply to one of the bot's messages about a report goes to the unit."""
    if message.reply_to_message_id is None:
        return False
    link = await turn.uow.links.find(turn.channel, turn.chat_id, message.reply_to_message_id)
    if link is None:
        return False
    report = await _own_report(turn, link.report_id)
    if report is None:
        return False
    await _relay(turn, report, message)
    return True


async def on_step_message(turn: Turn, message: Message) -> bool:
    """Text after "Balas" (information for the unit) or after a rating (the comment)."""
    report_id = _step_report_id(turn, ChatStep.FOLLOWUP)
    if report_id is not None:
        report = await _own_report(turn, report_id)
        if report is None:
            turn.conversation.step = ChatStep.IDLE
            return False
        # The step stays until the citizen picks something else: a photo sent after the text
        # (Telegram sends them as two messages) reaches the unit too.
        if not await _relay(turn, report, message):
            turn.conversation.step = ChatStep.IDLE
        return True
    report_id = _step_report_id(turn, ChatStep.COMMENT)
    if report_id is None:
        return False
    turn.conversation.step = ChatStep.IDLE
    report = await _own_report(turn, report_id)
    if report is None or not message.text.strip():
        return False
    await reporter_actions.comment_rating(_case(turn), report, message.text.strip())
    turn.send(turn.t("rate.thanks"), main_menu(turn.tr))
    return True


async def _relay(turn: Turn, report: Report, message: Message) -> bool:
    """Pass the message on to the unit; False when the report takes no more messages."""
    text = "" if says_nothing(message.text) else message.text.strip()
    checked = await evidence.inspect(turn, message.photos, 0)
    evidence.tell_refusals(turn, checked.refused)
    photos = [photo for photo, _, _ in checked.accepted]
    if says_nothing(text) and not photos:
        if not checked.refused:
            turn.send(turn.t("followup.need_text"))
        return True
    chats = await holder_chats(_case(turn), report)
    if await relays.over_budget(turn.uow, report, chats, turn.deps.config.relay_max_pending):
        turn.send(turn.t("relay.wait", number=report.tracking_no))
        return True
    waiting = report.status == ReportStatus.MENUNGGU_PELAPOR
    refused = await reporter_actions.relay_from_reporter(_case(turn), report, text[:3500], photos)
    if refused:
        turn.send(turn.t(f"followup.refused.{refused}", number=report.tracking_no))
        return False
    if waiting and report.due_date is not None:
        # The question is answered: the clock runs again, and the reporter sees until when.
        due = long_date(report.due_date, turn.conversation.language)
        turn.send(
            turn.t("followup.resumed", number=report.tracking_no, due=due), main_menu(turn.tr)
        )
    else:
        turn.send(turn.t("followup.relayed", number=report.tracking_no), main_menu(turn.tr))
    return True


async def on_button(turn: Turn, action: str, arg: str) -> bool:
    if action not in BUTTONS:
        return False
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
    else:
        turn.conversation.step = ChatStep.IDLE
        turn.answer()
        turn.show(turn.t("rate.thanks"), None)
    return True


async def _confirmed(turn: Turn, report: Report) -> None:
    refused = await reporter_actions.confirm_done(_case(turn), report)
    if refused:
        turn.answer(turn.t(f"followup.refused.{refused}", number=report.tracking_no), alert=True)
        return
    turn.answer()
    stars = tuple(
        turn.button("⭐" * n, "rate", f"{report.id}.{n}", scope=SCOPE_GLOBAL) for n in range(1, 6)
    )
    turn.show(
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
    turn.show(turn.t("followup.reopened", number=report.tracking_no, due=due), None)


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
