"""The commands typed in a unit's group: binding (``/daftar``, ``/lepas``, ``/kode``), what the
unit holds (``/antrian``, ``/terlambat``, ``/laporan``, ``/gagal``, the console link) and the
officers' actions by command (``/verifikasi NOMOR`` ...), each taken by ``cases.officer``.
"""

from __future__ import annotations

from cases.officer import Officer, OfficerStep
from core import commands
from core.decisions import DUPLICATE_REASON
from core.inputs import says_nothing
from core.permissions import ARCHIVE_REASONS, CaseAction
from core.roles import GroupAction, for_case
from core.tracking import TrackingCheck, parse_tracking_number
from handlers import (
    answer_templates,
    bindings,
    console_login,
    group_views,
    notices,
    referral,
    similar,
)
from handlers.events import Message
from handlers.group_acting import NOTE_MAX, PROMPTED, case_of, holder, officer_of, perform
from handlers.turn import Turn
from storage.models import Report, Unit, UnitChat

ACTION_COMMANDS = commands.ACTIONS


def needs(name: str, args: str = "") -> tuple[GroupAction, ...]:
    """What the command ``name`` (with ``args``) does, as far as its group role is concerned."""
    if name in commands.TEMPLATES:
        return answer_templates.needs(args)
    if name in commands.REGISTER:
        return (GroupAction.BIND,)
    if name in commands.UNREGISTER:
        return (GroupAction.RELEASE,)
    if name in commands.CODE:
        return (GroupAction.ISSUE_CODE,)
    if name in ACTION_COMMANDS:
        return (for_case(ACTION_COMMANDS[name]),)
    if name in commands.REFERRALS:
        return (GroupAction.REFER,)
    return ()


async def on_command(
    turn: Turn, message: Message, bound: tuple[UnitChat, Unit] | None, admin: bool | None
) -> None:
    """A command; ``admin``: whether the sender is a group admin, when the command needs to
    know (asked of Telegram before, see :func:`needs`)."""
    name, args = message.command, message.command_args
    if name in commands.REGISTER:
        await bindings.register(turn, message, args, bool(admin))
    elif name in commands.START + commands.HELP + commands.GUIDE:
        if bound is None:
            turn.send(turn.t("group.unbound_help"))
        else:  # the pinned guide, then every other tool
            turn.send(turn.t("group.guide"))
            turn.send(turn.t("group.guide_more"))
    elif name in commands.CITIZEN_ONLY:
        turn.send(turn.t("group.private_only"))
    elif bound is None:
        turn.send(turn.t("group.unbound_help"))
    else:
        await _bound_command(turn, message, name, args, bound, admin)


async def _bound_command(
    turn: Turn,
    message: Message,
    name: str,
    args: str,
    bound: tuple[UnitChat, Unit],
    admin: bool | None,
) -> None:
    chat, unit = bound
    if name in commands.UNREGISTER:
        await bindings.release(turn, chat, unit, bool(admin))
    elif name in commands.QUEUE:
        await group_views.queue(turn, unit)
    elif name in commands.LATE:
        await group_views.late(turn, unit)
    elif name in commands.REPORT:
        report = await _report_arg(turn, args.split(maxsplit=1)[0] if args else "", unit)
        if report is not None:
            await notices.post_card(case_of(turn), report, await holder(turn, report), chat)
    elif name in commands.CODE:
        await bindings.issue_code(turn, args, unit, bool(admin))
    elif name in commands.FAILED:
        await group_views.failed_deliveries(turn, unit)
    elif name in commands.REFERRALS:
        await referral.command(turn, message, unit, admin)
    elif name in console_login.COMMANDS:
        await console_login.send_link(turn, unit)
    elif name in commands.TEMPLATES:
        await answer_templates.on_command(turn, args, unit, admin)
    elif name in ACTION_COMMANDS:
        await _action_command(turn, ACTION_COMMANDS[name], args, unit, admin)
    else:
        turn.send(turn.t("group.unknown_command"))


async def _report_arg(turn: Turn, text: str, unit: Unit) -> Report | None:
    """The report named by a tracking number in a command. Another unit's report is "not found"
    here, as if it did not exist: a group learns nothing of reports it does not hold."""
    parsed = parse_tracking_number(text)
    if parsed.check == TrackingCheck.MALFORMED:
        turn.send(turn.t("group.number_missing"))
        return None
    if parsed.check == TrackingCheck.MISTYPED:
        turn.send(turn.t("status.mistyped", number=text.strip()[:20]))
        return None
    report = await turn.uow.reports.by_tracking_number(parsed.number)
    if report is None or not group_views.visible(unit, report):
        turn.send(turn.t("group.report_unknown", number=parsed.number))
        return None
    return report


async def _action_command(
    turn: Turn, action: CaseAction, args: str, unit: Unit, admin: bool | None
) -> None:
    number, _, rest = args.partition(" ")
    report = await _report_arg(turn, number, unit)
    if report is None:
        return
    rest = rest.strip()
    to_unit: Unit | None = None
    reason = ""
    if action == CaseAction.TRANSFER:
        code, _, rest = rest.partition(" ")
        to_unit = await turn.uow.units.by_code(code.strip().lower()) if code else None
        if to_unit is None:
            turn.send(turn.t("group.unit_unknown", code=code[:40] or "-"))
            return
        rest = rest.strip()
    if action == CaseAction.ARCHIVE:
        reason, _, rest = rest.partition(" ")
        if reason not in ARCHIVE_REASONS:
            turn.send(turn.t("group.archive_usage", reasons=", ".join(ARCHIVE_REASONS)))
            return
        rest = rest.strip()
        if reason == DUPLICATE_REASON:
            await _duplicate_command(turn, report, await officer_of(turn, unit, admin), rest)
            return
    if action in PROMPTED and says_nothing(rest):
        turn.send(turn.t(f"group.usage.{action.value}"))
        return
    step = OfficerStep(action, note=rest[:NOTE_MAX], reason=reason, to_unit=to_unit)
    await perform(turn, report, step, await officer_of(turn, unit, admin))


async def _duplicate_command(turn: Turn, report: Report, officer: Officer, rest: str) -> None:
    """``/arsipkan NOMOR duplikat NOMOR_ASLI [catatan]``: the typed twin of the picker."""
    number, _, note = rest.partition(" ")
    if not number:
        turn.send(turn.t("group.duplicate_usage", number=report.tracking_no))
        return
    original = await similar.original_by_number(turn, report, number)
    if original is None:
        turn.send(turn.t("case.refused.original_required"))
        return
    step = OfficerStep(
        CaseAction.ARCHIVE,
        note=note.strip()[:NOTE_MAX],
        reason=DUPLICATE_REASON,
        original=original,
    )
    await perform(turn, report, step, officer)
