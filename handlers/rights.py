"""/dataku: a citizen's rights over their own data in the chat (docs/privacy.md).

What the bot holds, a copy (text and JSON files), correcting the name or phone, withdrawing
consent (then only these rights are answered until /start and agreeing again) and removal
(cases/rights.py). Every action works on the sender's own record, found from the sender of the
update: the buttons carry no ids, and they are bound to this chat's screen.
"""

from __future__ import annotations

import re
from datetime import datetime

from core import commands
from core.crash_points import crash_point
from core.lifecycle import Privacy
from handlers import notices
from handlers.actions import InlineKeyboard, SendFile
from handlers.case import Case
from handlers.consent import CONSENT_VERSION, ask_consent, current_citizen
from handlers.events import Message
from handlers.menu import main_menu, menu_choice
from handlers.rights_text import copy_json, copy_text, dpo_line, summary
from handlers.steps import ChatStep
from handlers.turn import Turn
from storage import citizen_rights as rights
from storage.models import Citizen, Report

ACTION = "data"
COMMANDS_DATA = frozenset(commands.DATA)
#: What a citizen who withdrew consent is still answered: the rights, consenting again, the
#: language (the consent screen's own buttons).
_ANSWERED_WHEN_WITHDRAWN = frozenset({ACTION, "consent", "lang", "langmenu"})
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,22}$")


def _subject(turn: Turn) -> str:
    secret = turn.deps.config.callback_secret
    return rights.subject_of(secret, turn.channel, turn.event.sender.user_id)


def _record(turn: Turn, kind: str, outcome: str, detail: str = "") -> None:
    rights.record(turn.uow.session, _subject(turn), kind, outcome, turn.now, detail)


# --- the doors -------------------------------------------------------------------------------


async def on_command(turn: Turn, message: Message) -> bool:
    if message.command in COMMANDS_DATA:
        await show(turn)
        return True
    return False


async def on_menu_text(turn: Turn, message: Message) -> bool:
    if menu_choice(turn.deps.catalogs, message.text) != "data":
        return False
    await show(turn)
    return True


async def held_back(turn: Turn, *, action: str = "", message: Message | None = None) -> bool:
    """A citizen who withdrew consent: anything but the rights and consenting again is answered
    with where they stand (True: the update is answered here)."""
    citizen = await current_citizen(turn)
    if citizen is None or citizen.consent_withdrawn_at is None:
        return False
    if message is None:
        if action in _ANSWERED_WHEN_WITHDRAWN:
            return False
        turn.answer(turn.t("rights.withdrawn_hint"), alert=True)
        return True
    if message.command in commands.START:
        ask_consent(turn)
        return True
    if message.command in COMMANDS_DATA or menu_choice(turn.deps.catalogs, message.text) == "data":
        return False
    if turn.conversation.step in (ChatStep.DATA_NAME, ChatStep.DATA_PHONE):
        return False
    turn.send(turn.t("rights.withdrawn_hint"))
    return True


def consent_again(turn: Turn, citizen: Citizen) -> None:
    """Agreeing to the notice after withdrawing: consent stands again from now."""
    citizen.consent_withdrawn_at = None
    citizen.consent_at = turn.now
    citizen.consent_version = CONSENT_VERSION
    _record(turn, "consent_again", rights.DONE)


async def show(turn: Turn) -> None:
    citizen = await current_citizen(turn)
    if citizen is None:
        _record(turn, "view", rights.NOTHING)
        turn.send(turn.t("rights.nothing_held") + "\n\n" + dpo_line(turn), main_menu(turn.tr))
        return
    held = await rights.holdings(turn.uow.session, citizen)
    _record(turn, "view", rights.DONE)
    turn.show(summary(turn, held), _menu(turn, withdrawn=citizen.consent_withdrawn_at is not None))


def _menu(turn: Turn, *, withdrawn: bool) -> InlineKeyboard:
    consent = (
        ("consent", "rights.btn.consent") if withdrawn else ("withdraw", "rights.btn.withdraw")
    )
    choices = (
        ("copy", "rights.btn.copy"),
        ("name", "rights.btn.name"),
        ("phone", "rights.btn.phone"),
        consent,
        ("erase", "rights.btn.erase"),
    )
    return InlineKeyboard(
        rows=tuple((turn.button(turn.t(key), ACTION, arg),) for arg, key in choices)
    )


async def on_button(turn: Turn, action: str, arg: str) -> bool:
    if action != ACTION:
        return False
    citizen = await current_citizen(turn)
    if citizen is None:
        turn.answer()
        turn.show(turn.t("rights.nothing_held"), None)
        return True
    handler = _BUTTONS.get(arg)
    if handler is None:
        turn.answer(turn.t("button.unknown"), alert=True)
        return True
    await handler(turn, citizen)
    return True


# --- a copy ----------------------------------------------------------------------------------


async def _copy(turn: Turn, citizen: Citizen) -> None:
    session = turn.uow.session
    if await rights.copies_left(session, _subject(turn), turn.now) <= 0:
        _record(turn, "copy", rights.LIMITED)
        turn.answer(turn.t("rights.copy_limited", count=rights.COPIES_PER_DAY), alert=True)
        return
    held = await rights.holdings(session, citizen)
    _record(turn, "copy", rights.DONE)
    turn.answer(turn.t("rights.copy_sent"))
    stamp = _stamp(turn.now)
    turn.emit(
        SendFile(
            chat_id=turn.chat_id,
            filename=f"data-saya-{stamp}.txt",
            content=copy_text(turn, held),
            caption=turn.t("rights.copy_caption_text"),
        )
    )
    turn.emit(
        SendFile(
            chat_id=turn.chat_id,
            filename=f"data-saya-{stamp}.json",
            content=copy_json(turn, held),
            caption=turn.t("rights.copy_caption_json"),
        )
    )


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M")


# --- corrections -----------------------------------------------------------------------------


async def _ask_name(turn: Turn, citizen: Citizen) -> None:
    _ask(turn, ChatStep.DATA_NAME, "rights.ask_name")


async def _ask_phone(turn: Turn, citizen: Citizen) -> None:
    _ask(turn, ChatStep.DATA_PHONE, "rights.ask_phone")


def _ask(turn: Turn, step: ChatStep, key: str) -> None:
    turn.answer()
    turn.conversation.step = step
    turn.conversation.step_seq += 1
    turn.send(turn.t(key))


async def on_step_message(turn: Turn, message: Message) -> bool:
    """The corrected name or phone typed after the button; False outside those steps."""
    step = turn.conversation.step
    if step not in (ChatStep.DATA_NAME, ChatStep.DATA_PHONE) or message.command:
        return False
    citizen = await current_citizen(turn)
    text = (message.text or "").strip()
    if citizen is None:
        turn.conversation.step = ChatStep.IDLE
        return False
    if step == ChatStep.DATA_NAME:
        if not 2 <= len(text) <= 200:
            turn.send(turn.t("rights.bad_name"))
            return True
        citizen.name = text
        _record(turn, "correct_name", rights.DONE, "name")
        said = turn.t("rights.name_saved", name=text)
    else:
        if text == "-":
            citizen.phone = ""
        elif _PHONE.match(text) and 6 <= sum(c.isdigit() for c in text) <= 15:
            citizen.phone = text
        else:
            turn.send(turn.t("rights.bad_phone"))
            return True
        _record(turn, "correct_phone", rights.DONE, "phone")
        said = turn.t("rights.phone_saved", phone=citizen.phone or turn.t("rights.no_phone"))
    turn.conversation.step = ChatStep.IDLE
    turn.conversation.step_seq += 1
    turn.send(said, main_menu(turn.tr))
    return True


# --- consent ---------------------------------------------------------------------------------


async def _ask_withdraw(turn: Turn, citizen: Citizen) -> None:
    turn.answer()
    keyboard = InlineKeyboard(
        rows=(
            (turn.button(turn.t("rights.btn.withdraw_yes"), ACTION, "withdraw_yes"),),
            (turn.button(turn.t("rights.btn.back"), ACTION, "back"),),
        )
    )
    turn.show(turn.t("rights.withdraw_explain"), keyboard)


async def _withdraw(turn: Turn, citizen: Citizen) -> None:
    turn.answer()
    if citizen.consent_withdrawn_at is None:
        citizen.consent_withdrawn_at = turn.now
        _record(turn, "withdraw", rights.DONE)
    turn.conversation.step = ChatStep.IDLE
    turn.conversation.step_seq += 1
    turn.show(turn.t("rights.withdrawn"), None)


async def _consent(turn: Turn, citizen: Citizen) -> None:
    turn.answer()
    ask_consent(turn)


async def _back(turn: Turn, citizen: Citizen) -> None:
    turn.answer()
    held = await rights.holdings(turn.uow.session, citizen)
    turn.show(summary(turn, held), _menu(turn, withdrawn=citizen.consent_withdrawn_at is not None))


# --- removal ---------------------------------------------------------------------------------


async def _ask_erase(turn: Turn, citizen: Citizen) -> None:
    turn.answer()
    held = await rights.holdings(turn.uow.session, citizen)
    closed = [r.number for r in held.reports if r.closed]
    running = [r for r in held.reports if not r.closed]
    text = turn.t(
        "rights.erase_explain",
        closed=", ".join(closed) or "-",
        open=", ".join(r.number for r in running) or "-",
    )
    rows = [(turn.button(turn.t("rights.btn.erase_yes"), ACTION, "erase_yes"),)]
    if any(r.privacy == Privacy.BIASA for r in running):
        rows.append((turn.button(turn.t("rights.btn.erase_hide"), ACTION, "erase_hide"),))
    rows.append((turn.button(turn.t("rights.btn.back"), ACTION, "back"),))
    turn.show(text, InlineKeyboard(rows=tuple(rows)))


async def _erase(turn: Turn, citizen: Citizen, *, hide: bool) -> None:
    turn.answer()
    session = turn.uow.session
    done = await rights.remove_me(session, citizen, _subject(turn), turn.now, hide=hide)
    # The groups' cards show the change: "dihapus atas permintaan", or hidden from the unit.
    if done.hidden or done.erased:
        case = Case(uow=turn.uow, deps=turn.deps, now=turn.now)
        for number in done.erased + done.hidden:
            report = await turn.uow.reports.by_tracking_number(number)
            if isinstance(report, Report):
                await notices.refresh_cards(case, report)
    lines = []
    if done.erased:
        lines.append(turn.t("rights.erased", numbers=", ".join(done.erased)))
    if done.waiting:
        lines.append(turn.t("rights.erase_waits", numbers=", ".join(done.waiting)))
    if done.hidden:
        lines.append(turn.t("rights.hidden", numbers=", ".join(done.hidden)))
    if done.forgotten:
        turn.conversation.draft = {}
        lines.append(turn.t("rights.forgotten"))
    turn.conversation.step = ChatStep.IDLE
    turn.conversation.step_seq += 1
    turn.show("\n\n".join(lines), None)
    crash_point("rights.erase")  # the crash tests' kill: all done, nothing committed yet


async def _erase_yes(turn: Turn, citizen: Citizen) -> None:
    await _erase(turn, citizen, hide=False)


async def _erase_hide(turn: Turn, citizen: Citizen) -> None:
    await _erase(turn, citizen, hide=True)


_BUTTONS = {
    "copy": _copy,
    "name": _ask_name,
    "phone": _ask_phone,
    "withdraw": _ask_withdraw,
    "withdraw_yes": _withdraw,
    "consent": _consent,
    "back": _back,
    "erase": _ask_erase,
    "erase_yes": _erase_yes,
    "erase_hide": _erase_hide,
}
