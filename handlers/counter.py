"""Lapor atas nama warga: an officer files a report for a citizen at the counter or on the phone
(/loket in a private chat with the bot), and the citizen later claims it in their own chat with
the tracking number and the claim code from the slip (/klaim NOMOR KODE).

The officer gives the citizen's name, a phone number (or skips it) and how the report came; then
the intake's own steps run (handlers/intake) with those details kept on the draft, and the
submit files it with the citizen as the reporter (handlers/counter_filing.py). Who may file is a
row of the role table (``GroupAction.FILE_ON_BEHALF``)."""

from __future__ import annotations

from datetime import datetime

from core import commands
from core.counter import (
    CLAIM_ALPHABET,
    CLAIM_FAILURES_MAX,
    CLAIM_HOLD,
    CLAIM_LENGTH,
    VIAS,
    claim_matches,
    clean_name,
    clean_phone,
    normalized_code,
)
from core.decisions import REPORTER_LABEL
from core.roles import GroupAction, may
from core.timeline import EventKind
from core.tracking import TrackingCheck, parse_tracking_number
from handlers import citizen as citizens
from handlers import draft as drafts
from handlers.actions import InlineKeyboard
from handlers.consent import ask_consent, current_citizen
from handlers.draft import Draft, IntakeStep
from handlers.events import Message
from handlers.formatting import short_datetime
from handlers.intake.flow import has_draft
from handlers.intake.steps import go
from handlers.menu import main_menu
from handlers.steps import ChatStep
from handlers.turn import Turn
from storage.counter import filing_of, officer_unit
from storage.models import CounterFiling, Report, ReportEvent
from storage.uow import UnitOfWork

#: The buttons of the details' screens: skip the phone, how it came.
SKIP_PHONE = "cskip"
VIA = "cvia"
_ASK_NAME, _ASK_PHONE, _ASK_VIA = "name", "phone", "via"
#: The draft's key of the detail asked for next.
_NEXT = "next"


async def on_command(turn: Turn, message: Message) -> bool:
    """/loket and /klaim; False for any other command."""
    if message.command in commands.COUNTER:
        await start(turn)
    elif message.command in commands.CLAIM:
        await claim(turn, message.command_args)
    else:
        return False
    return True


async def start(turn: Turn) -> None:
    sender = turn.event.sender
    found = await officer_unit(turn.uow.session, turn.channel, sender.user_id)
    if found is None or not may(found[1], GroupAction.FILE_ON_BEHALF):
        turn.send(turn.t("counter.not_officer"), main_menu(turn.tr))
        return
    if has_draft(turn) and not drafts.load(turn.conversation).behalf:
        turn.send(turn.t("counter.draft_first"), main_menu(turn.tr))
        return
    unit, _ = found
    _save(turn, {"unit_id": unit.id, _NEXT: _ASK_NAME})
    turn.conversation.step = ChatStep.COUNTER
    turn.conversation.step_seq += 1
    turn.send(turn.t("counter.ask_name", unit=unit.name))


def _save(turn: Turn, behalf: dict[str, object]) -> None:
    drafts.save(turn.conversation, Draft(behalf=behalf))


async def on_message(turn: Turn, message: Message) -> bool:
    """A message while the officer gives the citizen's details, or a number and a claim code
    typed as a whole message; False for anything else."""
    conv = turn.conversation
    if conv.step != ChatStep.COUNTER:
        typed = _typed_claim(message)
        if typed is None or conv.step not in (ChatStep.IDLE, ChatStep.CONSENT):
            return False
        await claim(turn, typed)
        return True
    behalf = dict(drafts.load(conv).behalf or {})
    text = message.text.strip()
    if behalf.get(_NEXT) == _ASK_NAME:
        name = clean_name(text) if not message.photos else None
        if name is None:
            turn.send(turn.t("counter.name_invalid"))
            return True
        behalf.update({"name": name, _NEXT: _ASK_PHONE})
        _save(turn, behalf)
        conv.step_seq += 1
        skip = turn.button(turn.t("counter.skip_phone"), SKIP_PHONE)
        turn.send(turn.t("counter.ask_phone", name=name), InlineKeyboard(rows=((skip,),)))
    elif behalf.get(_NEXT) == _ASK_PHONE:
        phone = clean_phone(text)
        if phone is None:
            turn.send(turn.t("counter.phone_invalid"))
            return True
        behalf.update(phone=phone)
        _ask_via(turn, behalf)
    else:
        _ask_via(turn, behalf)
    return True


def _ask_via(turn: Turn, behalf: dict[str, object]) -> None:
    behalf[_NEXT] = _ASK_VIA
    _save(turn, behalf)
    turn.conversation.step_seq += 1
    row = tuple(turn.button(turn.t(f"counter.via.{via}"), VIA, via) for via in VIAS)
    turn.send(turn.t("counter.ask_via"), InlineKeyboard(rows=(row,)))


async def on_button(turn: Turn, action: str, arg: str) -> bool:
    if action not in (SKIP_PHONE, VIA):
        return False
    conv = turn.conversation
    behalf = dict(drafts.load(conv).behalf or {})
    if conv.step != ChatStep.COUNTER or not behalf:
        turn.answer(turn.t("button.stale"), alert=True)
        return True
    turn.answer()
    if action == SKIP_PHONE:
        _ask_via(turn, behalf)
        return True
    if arg not in VIAS:
        turn.answer(turn.t("button.unknown"), alert=True)
        return True
    behalf.update(via=arg)
    behalf.pop(_NEXT, None)
    drafts.save(conv, Draft(step=IntakeStep.TYPE, behalf=behalf))
    conv.draft_started_at = turn.now
    note = turn.t("counter.started", name=behalf.get("name", "-"), via=turn.t(f"counter.via.{arg}"))
    go(turn, IntakeStep.TYPE, note)
    return True


def _typed_claim(message: Message) -> str | None:
    """ "NOMOR KODE" typed as a whole message (as the slip shows it)."""
    parts = message.text.split()
    if message.photos or len(parts) != 2 or len(parts[1]) != CLAIM_LENGTH:
        return None
    if any(c not in CLAIM_ALPHABET for c in normalized_code(parts[1])):
        return None
    if parse_tracking_number(parts[0]).check != TrackingCheck.VALID:
        return None
    return message.text


async def claim(turn: Turn, args: str) -> None:
    """/klaim NOMOR KODE: the report filed at the counter is followed in this chat from now on."""
    citizen = await current_citizen(turn)
    if citizen is None:
        ask_consent(turn)
        return
    parts = args.split()
    parsed = parse_tracking_number(parts[0]) if len(parts) == 2 else None
    if parsed is None or parsed.check != TrackingCheck.VALID:
        turn.send(turn.t("claim.usage"), main_menu(turn.tr))
        return
    report = await turn.uow.reports.by_tracking_number(parsed.number)
    filing = await filing_of(turn.uow.session, report.id) if report is not None else None
    if report is None or filing is None:
        turn.send(turn.t("claim.wrong", number=parsed.number), main_menu(turn.tr))
        return
    if filing.claim_held_until is not None and turn.now < filing.claim_held_until:
        until = short_datetime(
            filing.claim_held_until, turn.deps.config.timezone, turn.conversation.language
        )
        turn.send(turn.t("claim.held", until=until), main_menu(turn.tr))
        return
    if not claim_matches(report.tracking_no, parts[1], filing.claim_hash):
        _wrong_code(turn, filing, parsed.number)
        return
    filing.claim_failures = 0
    if filing.claimed_at is not None:
        key = "claim.yours" if report.citizen_id == citizen.id else "claim.taken"
        turn.send(turn.t(key, number=report.tracking_no), main_menu(turn.tr))
        return
    _take(turn.uow, report, filing, citizen.id, turn.channel, turn.now)
    turn.send(turn.t("claim.done", number=report.tracking_no))
    await citizens.show_status(turn, citizen, report.tracking_no)


def _wrong_code(turn: Turn, filing: CounterFiling, number: str) -> None:
    filing.claim_failures += 1
    if filing.claim_failures >= CLAIM_FAILURES_MAX:
        filing.claim_failures = 0
        filing.claim_held_until = turn.now + CLAIM_HOLD
        until = short_datetime(
            filing.claim_held_until, turn.deps.config.timezone, turn.conversation.language
        )
        turn.send(turn.t("claim.held", until=until), main_menu(turn.tr))
        return
    turn.send(turn.t("claim.wrong", number=number), main_menu(turn.tr))


def _take(
    uow: UnitOfWork,
    report: Report,
    filing: CounterFiling,
    citizen_id: int,
    channel: str,
    now: datetime,
) -> None:
    """From now on the report is the claiming citizen's: its notices reach their chat."""
    report.citizen_id = citizen_id
    report.channel = channel
    report.updated_at = now
    filing.claimed_at = now
    # On the timeline: that it was claimed and how it came, not who claimed it.
    uow.reports.add_event(
        ReportEvent(
            report_id=report.id,
            kind=EventKind.CLAIMED,
            actor=REPORTER_LABEL,
            note=filing.via,
            created_at=now,
        )
    )
