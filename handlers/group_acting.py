"""What the group's presses, commands and replies share: the bound unit, who acts (with the
role the action needs to know, asked of Telegram before the use case runs), and how the outcome
of an officer's use case (``cases.officer``) is said in the group.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from cases.officer import Officer, OfficerStep, Refused, RoleRefusal
from core.decisions import Refusal
from core.limits import OFFICER_NOTE_MAX
from core.permissions import CaseAction
from core.roles import GroupAction, GroupRole, for_case, needs_admin
from handlers import officer_actions
from handlers.ask_first import sender_is_admin
from handlers.cards import ASSIGN_BUTTON
from handlers.case import Case
from handlers.events import ButtonPress, Photo
from handlers.turn import Turn
from storage.models import Report, Unit, UnitChat

log = logging.getLogger(__name__)

#: Actions that need the officer's words: asked for with a prompt the officer replies to.
PROMPTED = frozenset(
    {CaseAction.ASK, CaseAction.ANSWER, CaseAction.NOTE, CaseAction.DONE, CaseAction.INTERNAL_NOTE}
)
NOTE_MAX = OFFICER_NOTE_MAX
#: A ready answer's buttons under a prompt (``handlers.answer_templates``).
TEMPLATE_BUTTONS = frozenset({"tp", "ts"})


def case_of(turn: Turn) -> Case:
    return Case(uow=turn.uow, deps=turn.deps, now=turn.now, channel=turn.channel)


async def bound_chat(turn: Turn) -> tuple[UnitChat, Unit] | None:
    chat = await turn.uow.units.chat(turn.channel, turn.chat_id)
    if chat is None or not chat.active:
        return None
    unit = await turn.uow.units.get(chat.unit_id)
    return (chat, unit) if unit is not None else None


async def holder(turn: Turn, report: Report) -> Unit | None:
    return await turn.uow.units.get(report.unit_id) if report.unit_id else None


async def admin_if_needed(turn: Turn, *actions: GroupAction) -> bool | None:
    """Whether the sender is a group admin, asked of Telegram only when one of ``actions``
    needs more than membership (None: none does). The group's entry points ask this first,
    before the turn's first query; Telegram itself is asked with no transaction open, between
    two tries of the step (``handlers.ask_first``, docs/cases.md)."""
    if not any(needs_admin(action) for action in actions):
        return None
    return sender_is_admin(turn)


def press_needs(name: str, arg: str = "") -> tuple[GroupAction, ...]:
    """The group action of a card's button named ``name`` (none for the picker's cancel); a
    ready answer's button takes the action its ``arg`` names (``handlers.answer_templates``)."""
    if name == ASSIGN_BUTTON:
        return (GroupAction.ASSIGN,)
    if name in TEMPLATE_BUTTONS:
        name = arg.partition(".")[0]
    try:
        return (for_case(CaseAction(name)),)
    except ValueError:
        return ()


async def officer_of(turn: Turn, unit: Unit, admin: bool | None) -> Officer:
    """The sender as an officer of ``unit``, with their role as far as the action needs it
    (``admin`` from :func:`admin_if_needed`; None: membership is enough, so the role is not
    looked up)."""
    sender = turn.event.sender
    if admin is None:
        role = GroupRole.MEMBER
    elif admin:
        role = GroupRole.ADMIN
    elif await turn.uow.units.is_officer(unit.id, turn.channel, sender.user_id):
        role = GroupRole.OFFICER
    else:
        role = GroupRole.MEMBER
    return Officer(user_id=sender.user_id, name=sender.display_name, unit=unit, role=role)


def refusal_text(turn: Turn, refused: Refused) -> str:
    if isinstance(refused, RoleRefusal):
        key = f"role.{refused.needs.value}_only"
        return turn.t(key, action=turn.t(f"role.action.{refused.action.value}"))
    return turn.t(f"case.refused.{refused.reason}")


def say(turn: Turn, text: str, *, alert: bool = False) -> None:
    """A press is answered (in a pop-up when ``alert``); a message gets a message."""
    if isinstance(turn.event, ButtonPress):
        turn.answer(text, alert=alert)
    else:
        turn.send(text)


def say_refused(turn: Turn, refused: Refused) -> None:
    if isinstance(refused, Refusal) and refused.reason == "not_yours":
        log.warning("refused a report action from a group of another unit")
    say(turn, refusal_text(turn, refused), alert=True)


async def perform(
    turn: Turn,
    report: Report,
    step: OfficerStep,
    officer: Officer,
    photos: Sequence[Photo] = (),
) -> bool:
    """Take ``step`` (``cases.officer.act``) and say how it went; True when it was done."""
    refused = await officer_actions.take(case_of(turn), report, step, officer, photos)
    if refused is not None:
        say_refused(turn, refused)
        return False
    say(turn, turn.t(f"case.ok.{step.action.value}", number=report.tracking_no))
    return True
