"""A report filed at the counter or by phone (/loket) and not claimed yet has no chat of its
citizen. What the unit says to the reporter then goes to the officer who filed it, in their
private chat with the bot, to pass on; a question says to call the citizen. The officer's reply
to such a message is recorded as the citizen's answer (handlers/followup.py). Once the citizen
claims the report (/klaim), everything goes to their own chat instead."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from core.counter import is_counter_channel
from core.purposes import Purpose
from handlers.actions import SendText
from handlers.case import Case
from storage.counter import filing_of
from storage.models import Citizen, CounterFiling, Report, UnitChat
from storage.uow import UnitOfWork

#: The reporter's notice that asks them something: to the officer, it says to call the citizen.
QUESTION_KEY = "notify.question"
TEXT_MAX = 4096


async def unclaimed_filing(uow: UnitOfWork, report: Report) -> CounterFiling | None:
    """The counter filing of ``report`` while its citizen has not claimed it."""
    if not is_counter_channel(report.channel):
        return None
    filing = await filing_of(uow.session, report.id)
    return filing if filing is not None and filing.claimed_at is None else None


async def officer_channel(uow: UnitOfWork, filing: CounterFiling) -> str | None:
    """The channel of the officer's private chat: the one of their unit's bound group, where
    the bot knew them when they filed (storage.counter.officer_unit)."""
    if filing.unit_id is None:
        return None
    channel: str | None = await uow.session.scalar(
        select(UnitChat.channel)
        .where(UnitChat.unit_id == filing.unit_id, UnitChat.active)
        .order_by(UnitChat.id)
        .limit(1)
    )
    return channel


async def officer_target(uow: UnitOfWork, report: Report) -> tuple[str, str] | None:
    """(channel, chat id) of the private chat of the officer who filed ``report``, while it is
    an unclaimed counter filing; None otherwise."""
    filing = await unclaimed_filing(uow, report)
    channel = await officer_channel(uow, filing) if filing is not None else None
    if filing is None or channel is None:
        return None
    return channel, filing.officer_id


async def tell_officer(
    case: Case, report: Report, citizen: Citizen, key: str, words: Mapping[str, object]
) -> bool:
    """The reporter's notice ``key`` to the officer who filed ``report`` for ``citizen``;
    False when the report is not an unclaimed counter filing (or its officer has no chat)."""
    target = await officer_target(case.uow, report)
    if target is None:
        return False
    channel, chat_id = target
    tr = case.tr(citizen.language)
    said = tr.t(key, number=report.tracking_no, **words)
    wrapper = "counter.relay_ask" if key == QUESTION_KEY else "counter.relay"
    text = tr.t(
        wrapper,
        number=report.tracking_no,
        name=citizen.name or "-",
        phone=citizen.phone or "-",
        text=said,
    )
    action = SendText(chat_id=chat_id, text=text[:TEXT_MAX])
    case.emit(channel, action, report, purpose=Purpose.NOTICE)
    return True


async def filed_by(uow: UnitOfWork, report_id: int, channel: str, chat_id: str) -> Report | None:
    """The report, when the officer in this chat filed it at the counter and its citizen has
    not claimed it: their reply to its notices is the citizen's answer."""
    report = await uow.reports.get(report_id)
    if report is None:
        return None
    return report if await officer_target(uow, report) == (channel, chat_id) else None
