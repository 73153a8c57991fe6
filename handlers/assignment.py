"""The card's assignment buttons as the groups hear them: 👤 Tugaskan (a picker of the unit's
people), 🙋 Saya tangani and ✋ Lepas, and the console's assign and release (the same use case,
``cases.assignment``, reached through ``handlers.console_requests``).

Whether the picked person is still in the group is asked of Telegram before the use case runs
(``handlers.ask_first.is_in_group``), in the holder's group where the press came from, or the
holder's first group when the coordinator's group or the console picked.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases import assignment
from cases.assignment import Assignment
from cases.officer import Officer, Refused
from handlers.actions import InlineButton, InlineKeyboard, SendText
from handlers.ask_first import is_in_group
from handlers.cards import ASSIGN_BUTTON, ASSIGN_RELEASE, ASSIGN_SELF, unit_button
from handlers.case import Case
from handlers.deps import HandlerDeps
from handlers.events import ButtonPress
from handlers.group_acting import case_of, officer_of, say, say_refused
from handlers.group_presses import CANCEL, close_picker, picker
from handlers.notices import refresh_cards, to_holder_groups
from handlers.turn import Turn
from locales import Translator
from storage import assignees
from storage.assignees import Candidate
from storage.models import Report, Unit


@dataclass(frozen=True)
class AssignmentMessages:
    """``cases.assignment.AssignmentNotices`` for the chat: the cards show who has it, and the
    holder's groups are told (``console_by``: the console officer's name, when it came from
    there)."""

    case: Case
    console_by: str = ""

    async def assigned(self, report: Report, officer: Officer, change: Assignment) -> None:
        await refresh_cards(self.case, report)
        by = officer.name or officer.unit.name
        if self.console_by:
            key = "group.console.assign" if change.name else "group.console.release"
        elif not change.name:
            key = "group.released_by_self" if change.by_self else "group.released"
        else:
            key = "group.taken" if change.by_self else "group.assigned"
        name = change.name or "-"
        await to_holder_groups(
            self.case, report, key, name=name, previous=change.previous or "-", officer=by
        )
        if change.name and not change.by_self and report.assignee_id:
            await self._tell_person(report, report.assignee_id, by)

    async def _tell_person(self, report: Report, user_id: str, by: str) -> None:
        """The person named by someone else hears it in their private chat with the bot, when
        they have started one."""
        case = self.case
        chats = await case.uow.units.chats_of(report.unit_id) if report.unit_id else []
        channel = chats[0].channel if chats else report.channel
        language = await assignees.private_language(case.uow.session, channel, user_id)
        if language is None:
            return
        text = case.tr(language).t("private.assigned", number=report.tracking_no, officer=by)
        case.emit(channel, SendText(chat_id=user_id, text=text), report)


async def holder_chat_id(case: Case, report: Report, here: tuple[str, str]) -> tuple[str, str]:
    """The holder's group to ask whether someone is in it: ``here`` (channel, chat id) when it is
    one of the holder's, else the holder's first group ('' when it has none)."""
    chats = await case.uow.units.chats_of(report.unit_id) if report.unit_id else []
    if any((chat.channel, chat.chat_id) == here for chat in chats):
        return here
    return (chats[0].channel, chats[0].chat_id) if chats else (here[0], "")


async def assign(
    case: Case,
    report: Report,
    officer: Officer,
    user_id: str | None,
    *,
    here: tuple[str, str],
    console_by: str = "",
) -> Refused | None:
    """The use case with the chat's notices, asking Telegram first whether the person picked is
    still in the holder's group (a press, a console request, or a bulk action per report)."""
    channel, chat_id = await holder_chat_id(case, report, here)
    in_group = True
    if user_id is not None and user_id != officer.user_id and chat_id:
        in_group = is_in_group(case.deps, channel, chat_id, user_id)
    messages = AssignmentMessages(case, console_by)
    return await assignment.assign(
        case.work, report, officer, user_id, messages, channel=channel, in_group=in_group
    )


async def on_button(
    turn: Turn, press: ButtonPress, unit: Unit, report: Report, arg: str, admin: bool | None
) -> None:
    """A press of 👤 Tugaskan (``arg`` ''), 🙋 Saya tangani (``me``), ✋ Lepas (``0``) or of a
    person in the picker (their user id)."""
    officer = await officer_of(turn, unit, admin)
    if not arg:
        refused = assignment.may_pick(officer, report)
        if refused is not None:
            say_refused(turn, refused)
            return
        await _picker(turn, press, report)
        return
    if arg == ASSIGN_SELF:
        user_id: str | None = officer.user_id
    elif arg == ASSIGN_RELEASE:
        user_id = None
    elif arg.isdigit():
        user_id = arg
    else:
        turn.answer(turn.t("button.unknown"), alert=True)
        return
    refused = await assign(
        case_of(turn), report, officer, user_id, here=(turn.channel, turn.chat_id)
    )
    if refused is not None:
        say_refused(turn, refused)
        return
    name = report.assignee_name or "-"
    done = turn.t("case.ok.assign", number=report.tracking_no, name=name)
    if user_id is None:
        done = turn.t("case.ok.release", number=report.tracking_no)
    if arg.isdigit() and arg != ASSIGN_RELEASE:
        close_picker(turn, press, done)
    say(turn, done)


async def _picker(turn: Turn, press: ButtonPress, report: Report) -> None:
    held = report.unit_id
    people = await assignees.candidates(turn.uow.session, held, turn.channel) if held else []
    people = [p for p in people if p.user_id != report.assignee_id]
    if not people:
        turn.answer(turn.t("picker.assign_none"), alert=True)
        return
    keyboard = assign_keyboard(turn.tr, turn.deps, report.id, people)
    picker(turn, press, report, turn.t("picker.assign"), keyboard)
    turn.answer()


def assign_keyboard(
    tr: Translator, deps: HandlerDeps, report_id: int, people: list[Candidate]
) -> InlineKeyboard:
    """One button per person (a named officer marked ⭐), and Batal."""
    rows: list[tuple[InlineButton, ...]] = []
    for person in people:
        label = ("⭐ " if person.named else "") + (person.name or person.user_id)[:40]
        rows.append((unit_button(deps, label, report_id, ASSIGN_BUTTON, person.user_id),))
    rows.append((unit_button(deps, tr.t("card.button.cancel"), report_id, CANCEL),))
    return InlineKeyboard(rows=tuple(rows))
