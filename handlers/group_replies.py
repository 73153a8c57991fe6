"""Replies in a unit's group: to a card (relayed to the reporter as the unit's answer), to a
prompt (its words take the action the prompt asked for), and the officer's next message after a
prompt they did not reply to (``handlers.typed_prompts``). Each action is taken and checked by
``cases.officer``. Words that begin with the internal note's marker (``#catatan``) are a note
for the unit, wherever they are written (``handlers.internal_notes``): never the reporter's.
"""

from __future__ import annotations

from collections.abc import Sequence

from cases import officer as cases_officer
from cases.officer import Officer, OfficerStep, RoleRefusal
from core.inputs import says_nothing
from core.internal_notes import marked
from core.permissions import CaseAction
from core.purposes import Purpose
from core.roles import GroupAction, may, required_role
from handlers import internal_notes, typed_prompts
from handlers.ask_first import sender_is_admin
from handlers.events import Message, Photo
from handlers.group_acting import (
    NOTE_MAX,
    admin_if_needed,
    case_of,
    officer_of,
    perform,
    refusal_text,
)
from handlers.group_views import visible
from handlers.guard import split_opener
from handlers.officer_actions import OfficerMessages
from handlers.pending import replied_link
from handlers.turn import Turn
from storage.models import Report, Unit, UnitChat


async def on_reply(turn: Turn, message: Message, bound: tuple[UnitChat, Unit]) -> None:
    assert message.reply_to_message_id is not None
    link = await replied_link(turn, message)
    if link is None:
        await on_typed(turn, message, bound)  # a reply to a colleague, right after a prompt
        return
    unit = bound[1]
    report = await turn.uow.reports.get(link.report_id)
    if report is None:
        return
    text = "" if says_nothing(message.text) else message.text.strip()
    if link.purpose == Purpose.PROMPT and link.action:
        await _prompt_answer(turn, message, report, unit, link.action, text)
        return
    note = marked(text)
    if note is not None:
        await internal_notes.record(turn, report, unit, note)
        return
    text = text[:NOTE_MAX]
    media = media_of(message)
    if says_nothing(text) and not media:
        turn.send(turn.t("group.need_text"))
        return
    officer = await officer_of(turn, unit, await admin_if_needed(turn, GroupAction.ANSWER))
    await answer(turn, report, officer, text, media)


def media_of(message: Message) -> tuple[Photo, ...]:
    """The officer's photos, voice notes and videos: all of them reach the reporter."""
    return (*message.photos, *message.clips)


async def answer(
    turn: Turn, report: Report, officer: Officer, text: str, photos: Sequence[Photo] = ()
) -> bool:
    """The officer's words (and photos) relayed to the reporter as the unit's answer; True
    when they were."""
    case = case_of(turn)
    refused = await cases_officer.answer_reporter(
        case.work, report, officer, text, OfficerMessages(case, photos)
    )
    turn.send(
        refusal_text(turn, refused)
        if refused is not None
        else turn.t("case.relayed", number=report.tracking_no)
    )
    return refused is None


async def on_typed(turn: Turn, message: Message, bound: tuple[UnitChat, Unit]) -> None:
    """The officer's next message after a prompt they did not reply to (handlers.typed_prompts)."""
    if not message.text.strip():
        return  # a photo without words, a sticker: the prompt keeps waiting for the words
    pending = typed_prompts.take(turn, turn.event.sender.user_id)
    if pending is None:
        return
    report = await turn.uow.reports.get(pending.report_id)
    unit = bound[1]
    if report is None or not visible(unit, report):
        return  # the report left this unit since the prompt: the message was not its answer
    if pending.expired:
        name = turn.event.sender.display_name or "-"
        turn.send(turn.t("prompt.expired", officer=name, number=report.tracking_no))
        return
    text = message.text.strip()
    await _prompt_answer(turn, message, report, unit, pending.link_action, text)


async def _prompt_answer(
    turn: Turn, message: Message, report: Report, unit: Unit, link_action: str, text: str
) -> None:
    link_action, opener = split_opener(link_action)
    name, _, arg = link_action.partition(":")
    action = CaseAction(name)
    # Who may answer a prompt at all is the prompt's rule, not the action's: the one who
    # opened it, or an officer or admin.
    someone_else = bool(opener) and opener != turn.event.sender.user_id
    if someone_else and not await _may_answer_for_another(turn, unit):
        return
    note = marked(text)
    if note is not None or action == CaseAction.INTERNAL_NOTE:
        typed_prompts.forget(turn, turn.event.sender.user_id)
        await internal_notes.record(turn, report, unit, text if note is None else note)
        return
    text = text[:NOTE_MAX]
    if says_nothing(text):
        turn.send(turn.t("group.need_text"))
        return
    admin = await admin_if_needed(turn, GroupAction(action.value))
    officer: Officer = await officer_of(turn, unit, admin)
    typed_prompts.forget(turn, officer.user_id)
    if action == CaseAction.ANSWER:
        await answer(turn, report, officer, text, media_of(message))
        return
    to_unit = (
        await turn.uow.units.get(int(arg))
        if action == CaseAction.TRANSFER and arg.isdigit()
        else None
    )
    # Photos sent with the answer reach the reporter too.
    step = OfficerStep(action, note=text, to_unit=to_unit)
    await perform(turn, report, step, officer, media_of(message))


async def _may_answer_for_another(turn: Turn, unit: Unit) -> bool:
    """Whether the sender may answer a prompt someone else opened (an officer or admin of the
    group's unit, asked as for the case actions: Telegram, then the unit's officers); if not,
    they are told which role it needs."""
    asker = await officer_of(turn, unit, sender_is_admin(turn))
    action = GroupAction.ANSWER_OTHERS_PROMPT
    if asker.role is not None and may(asker.role, action):
        return True
    turn.send(refusal_text(turn, RoleRefusal(action, required_role(action))))
    return False
