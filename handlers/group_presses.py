"""The buttons under a report's card in a unit's group, and the pickers and prompts they open.

A press that takes an action (Verifikasi, an archive reason, a duplicate's original) goes
straight to ``cases.officer.act``, which checks it once. A press that only opens a prompt or a
picker (the action's words or target come next) is checked once with
``cases.officer.may_start``; the action is checked again when it is taken, in its own press.
"""

from __future__ import annotations

from cases.officer import Officer, OfficerStep, may_start
from core.decisions import DUPLICATE_REASON
from core.permissions import ARCHIVE_REASONS, CaseAction, UnitKind
from core.purposes import Purpose
from handlers import answer_templates, recategorizing, referral, similar, typed_prompts
from handlers.actions import EditText, ForceReply, InlineKeyboard, SendText
from handlers.cards import (
    AREA_STEP,
    KECAMATAN_STEP,
    archive_keyboard,
    desa_keyboard,
    duplicate_keyboard,
    kecamatan_keyboard,
    transfer_keyboard,
)
from handlers.events import ButtonPress
from handlers.group_acting import PROMPTED, holder, officer_of, perform, say_refused
from handlers.group_views import visible
from handlers.guard import with_opener
from handlers.turn import Turn
from storage.models import Report, Unit

#: The picker's cancel button.
CANCEL = "x"


def _takes_action(action: CaseAction, arg: str) -> bool:
    """Whether the press takes ``action`` now (rather than asking for its words or target)."""
    if action in (CaseAction.VERIFY, CaseAction.UNREFER):
        return True
    if action == CaseAction.RECATEGORIZE:
        return bool(arg)  # a category was picked
    if action == CaseAction.REFER:
        return bool(arg)  # the body was picked
    if action != CaseAction.ARCHIVE:
        return False
    if arg.startswith(similar.DUPLICATE_ARG) and arg != DUPLICATE_REASON:
        return True  # the duplicate's original was picked
    return arg in ARCHIVE_REASONS and arg != DUPLICATE_REASON


async def on_report_button(
    turn: Turn,
    press: ButtonPress,
    unit: Unit,
    report: Report,
    name: str,
    arg: str,
    admin: bool | None,
) -> None:
    """A button of ``report``'s card (or of a picker under it) pressed in a group of ``unit``;
    ``admin``: whether the presser is a group admin, when the action needs to know."""
    if name == CANCEL:
        if not visible(unit, report):
            turn.answer(turn.t("case.not_yours"), alert=True)
            return
        turn.answer()
        close_picker(turn, press, turn.t("picker.cancelled"))
        return
    try:
        action = CaseAction(name)
    except ValueError:
        turn.answer(turn.t("button.unknown"), alert=True)
        return
    officer = await officer_of(turn, unit, admin)
    if _takes_action(action, arg):
        await _take(turn, press, report, officer, action, arg)
        return
    refused = may_start(officer, report, action)
    if refused is not None:
        say_refused(turn, refused)
        return
    if action in PROMPTED:
        # The ready answers first: the prompt, last, is what the officer's phone replies to.
        await answer_templates.offer(turn, press, report, action)
        prompt(turn, press, report, action.value, officer)
        turn.answer(turn.t("case.prompt_sent"))
    elif action == CaseAction.TRANSFER:
        await _transfer_button(turn, press, report, officer, arg)
    elif action == CaseAction.REFER:
        await referral.picker(turn, press, report)
    elif action == CaseAction.ARCHIVE and not arg:
        keyboard = archive_keyboard(turn.tr, turn.deps, report.id)
        picker(turn, press, report, turn.t("picker.archive"), keyboard)
        turn.answer()
    elif action == CaseAction.ARCHIVE and arg == DUPLICATE_REASON:
        await _originals(turn, press, report)
    elif action == CaseAction.RECATEGORIZE:
        keyboard = recategorizing.category_keyboard(turn.tr, turn.deps, report)
        picker(turn, press, report, recategorizing.picker_text(turn, report), keyboard)
        turn.answer()
    else:
        turn.answer(turn.t("button.unknown"), alert=True)


async def _take(
    turn: Turn, press: ButtonPress, report: Report, officer: Officer, action: CaseAction, arg: str
) -> None:
    if action in (CaseAction.VERIFY, CaseAction.UNREFER):
        await perform(turn, report, OfficerStep(action), officer)
        return
    if action == CaseAction.RECATEGORIZE:
        if done := await recategorizing.take(turn, report, officer, arg):
            close_picker(turn, press, done)
        return
    if action == CaseAction.REFER:
        await referral.refer(turn, press, report, officer, arg)
        return
    if arg in ARCHIVE_REASONS:
        if await perform(turn, report, OfficerStep(action, reason=arg), officer):
            reason = turn.t(f"archive.reason.{arg}")
            close_picker(turn, press, turn.t("picker.archived", reason=reason))
        return
    original = await similar.original_of(turn, report, arg)
    if original is None:
        turn.answer(turn.t("case.refused.original_required"), alert=True)
        return
    step = OfficerStep(action, reason=DUPLICATE_REASON, original=original)
    if await perform(turn, report, step, officer):
        close_picker(turn, press, turn.t("picker.duplicated", original=original.tracking_no))


async def _originals(turn: Turn, press: ButtonPress, report: Report) -> None:
    """Arsipkan → Duplikat: pick the open original (laporan serupa) to merge into."""
    found = await similar.originals(turn, report)
    if not found:
        turn.answer(turn.t("picker.duplicate_none", number=report.tracking_no), alert=True)
        return
    keyboard = duplicate_keyboard(turn.tr, turn.deps, report.id, found)
    picker(turn, press, report, turn.t("picker.duplicate"), keyboard)
    turn.answer()


async def _transfer_button(
    turn: Turn, press: ButtonPress, report: Report, officer: Officer, arg: str
) -> None:
    if not arg:
        options = await _transfer_options(turn, report)
        keyboard = transfer_keyboard(turn.tr, turn.deps, report.id, options)
        picker(turn, press, report, turn.t("picker.transfer"), keyboard)
        turn.answer()
        return
    if arg == AREA_STEP:
        kecamatan = await turn.uow.units.of_kind(UnitKind.KECAMATAN)
        keyboard = kecamatan_keyboard(turn.tr, turn.deps, report.id, kecamatan)
        edit_picker(turn, press, report, turn.t("picker.transfer_kecamatan"), keyboard)
        turn.answer()
        return
    if arg.startswith(KECAMATAN_STEP) and arg[len(KECAMATAN_STEP) :].isdigit():
        await _desa_step(turn, press, report, int(arg[len(KECAMATAN_STEP) :]))
        return
    target = await turn.uow.units.get(int(arg)) if arg.isdigit() else None
    if target is None or target.id == report.unit_id:
        turn.answer(turn.t("case.refused.unknown_unit"), alert=True)
        return
    close_picker(turn, press, turn.t("picker.transfer_chosen", unit=target.name))
    prompt(
        turn, press, report, f"{CaseAction.TRANSFER.value}:{target.id}", officer, unit=target.name
    )
    turn.answer(turn.t("case.prompt_sent"))


async def _desa_step(turn: Turn, press: ButtonPress, report: Report, kecamatan_id: int) -> None:
    """The desa/kelurahan of one kecamatan, and its office; the holder is not offered."""
    office = await turn.uow.units.get(kecamatan_id)
    if office is None or office.kind != UnitKind.KECAMATAN or not office.active:
        turn.answer(turn.t("case.refused.unknown_unit"), alert=True)
        return
    desa = [
        unit
        for unit in await turn.uow.units.of_kind(UnitKind.DESA)
        if unit.parent_id == office.id and unit.id != report.unit_id
    ]
    offered = office if office.id != report.unit_id else None
    keyboard = desa_keyboard(turn.tr, turn.deps, report.id, offered, desa)
    text = turn.t("picker.transfer_desa", kecamatan=office.name)
    edit_picker(turn, press, report, text, keyboard)
    turn.answer()


async def _transfer_options(turn: Turn, report: Report) -> list[Unit]:
    """Where a report can go from here: the holder's parent, every OPD, the coordinator."""
    held_by = await holder(turn, report)
    options: list[Unit] = []
    if held_by is not None and held_by.parent_id is not None:
        parent = await turn.uow.units.get(held_by.parent_id)
        if parent is not None and parent.kind != UnitKind.COORDINATOR:
            options.append(parent)
    options += await turn.uow.units.of_kind(UnitKind.OPD)
    coordinator = await turn.uow.units.coordinator()
    if coordinator is not None:
        options.append(coordinator)
    return [u for u in options if held_by is None or u.id != held_by.id][:30]


def picker(
    turn: Turn, press: ButtonPress, report: Report, text: str, keyboard: InlineKeyboard
) -> None:
    turn.emit(
        SendText(
            chat_id=turn.chat_id,
            text=turn.t("picker.header", number=report.tracking_no) + "\n" + text,
            markup=keyboard,
            reply_to_message_id=press.message_id,
        ),
        report.id,
        purpose=Purpose.RELAY,
    )


def edit_picker(
    turn: Turn, press: ButtonPress, report: Report, text: str, keyboard: InlineKeyboard
) -> None:
    """The next step of a picker, in the same message (a new one if it cannot be edited)."""
    if press.message_id is None:
        picker(turn, press, report, text, keyboard)
        return
    header = turn.t("picker.header", number=report.tracking_no)
    turn.emit(
        EditText(
            chat_id=turn.chat_id,
            message_id=press.message_id,
            text=f"{header}\n{text}",
            markup=keyboard,
        )
    )


def close_picker(turn: Turn, press: ButtonPress, text: str) -> None:
    if press.message_id is not None:
        turn.emit(EditText(chat_id=turn.chat_id, message_id=press.message_id, text=text))


def prompt(
    turn: Turn,
    press: ButtonPress,
    report: Report,
    link_action: str,
    officer: Officer,
    **values: str,
) -> None:
    """Ask the officer for the words of an action; their reply to this message performs it."""
    typed_prompts.remember(turn, officer.user_id, report.id, link_action)
    key = link_action.split(":", 1)[0]
    text = turn.t(f"prompt.{key}", number=report.tracking_no, officer=officer.name or "-", **values)
    turn.emit(
        SendText(
            chat_id=turn.chat_id,
            text=text,
            markup=ForceReply(placeholder=turn.t(f"prompt.placeholder.{key}")),
            reply_to_message_id=press.message_id,
        ),
        report.id,
        purpose=Purpose.PROMPT,
        link_action=with_opener(link_action, turn.event.sender.user_id),
    )
