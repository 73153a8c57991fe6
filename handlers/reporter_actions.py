"""The reporter's side of a report's life: more information or the answer to a question,
"sudah selesai" / "belum selesai", the rating; and what happens when the reporter cannot be
reached, as the chat renders them. The domain work is ``cases.reporter`` and
``cases.supporters``; the classes here are their notices ports, written for the groups
(docs/cases.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from cases import reporter
from cases.supporters import supporter_note
from core.decisions import Audience, Decision
from core.purposes import Purpose
from handlers import relays
from handlers.case import Case
from handlers.deps import HandlerDeps
from handlers.events import Photo
from handlers.notices import (
    deliver,
    evidence_symbol,
    media_actions,
    media_items,
    to_coordinator_groups,
    to_holder_groups,
)
from handlers.routing import holder_chats
from storage.models import Report
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class _Relayed:
    """The reporter's words and photos, gathered per group behind the officers' messages
    (handlers/relays.py); photos go on as they are."""

    case: Case
    text: str
    photos: Sequence[Photo]

    async def decided(self, report: Report, decision: Decision) -> None:
        case, text, photos = self.case, self.text, self.photos

        async def gathered() -> None:
            items, words = media_items(photos), text or evidence_symbol(photos)
            for chat in await holder_chats(case, report):
                tr = case.tr(chat.language)
                await relays.queue_text(case.uow, tr, report, chat, words, case.now)
                for media in media_actions(chat.chat_id, items):
                    case.emit(chat.channel, media, report, purpose=Purpose.RELAY)

        special = {Audience.HOLDER: gathered}
        await deliver(case, report, decision, {"text": text or "-"}, special=special)


@dataclass(frozen=True)
class _Delivered:
    """The notices a decision owes, with ``words`` for their texts."""

    case: Case
    words: Mapping[str, object]

    async def decided(self, report: Report, decision: Decision) -> None:
        await deliver(self.case, report, decision, dict(self.words))


async def relay_from_reporter(
    case: Case, report: Report, text: str, photos: Sequence[Photo]
) -> str:
    """The reporter's answer or added information, into the holder's groups as a reply to the
    card. Answers a pending question (the clock runs again). Returns a refusal key or ''."""
    return await reporter.add_information(case.work, report, text, _Relayed(case, text, photos))


async def relay_from_supporter(
    case: Case, report: Report, text: str, photos: Sequence[Photo]
) -> str:
    """A supporter's addition (laporan serupa): into the holder's groups as a reply to the card,
    labelled as from a supporter, never who. Nothing of the report's life changes: it is not the
    reporter's answer to a question, and the clock stands as it is. Returns a refusal key or ''."""
    refused = await supporter_note(case.work, report, text)
    if refused:
        return refused
    items, words = media_items(photos), text or evidence_symbol(photos)
    for chat in await holder_chats(case, report):
        tr = case.tr(chat.language)
        await relays.queue_text(
            case.uow, tr, report, chat, words, case.now, source=relays.FROM_SUPPORTER
        )
        for media in media_actions(chat.chat_id, items):
            case.emit(chat.channel, media, report, purpose=Purpose.RELAY)
    return ""


async def confirm_done(case: Case, report: Report) -> str:
    """The reporter says the problem is solved: the report closes for good."""
    return await reporter.confirm_done(case.work, report)


async def reopen(case: Case, report: Report) -> str:
    """The reporter says "belum selesai": back to the unit, and the coordinator sees it."""
    return await reporter.reopen(case.work, report, _Delivered(case, {}))


async def rate(case: Case, report: Report, rating: int) -> str:
    return await reporter.rate(case.work, report, rating, _Delivered(case, {"rating": rating}))


async def comment_rating(case: Case, report: Report, comment: str) -> None:
    kept = reporter.comment_rating(case.work, report, comment)
    await to_holder_groups(case, report, "group.rating_comment", text=kept)


def undeliverable_handler(
    deps: HandlerDeps,
) -> Callable[[UnitOfWork, int, str], Awaitable[None]]:
    """What the outbox worker calls when a message to a reporter failed for good."""

    async def handle(uow: UnitOfWork, report_id: int, error: str) -> None:
        report = await uow.reports.get(report_id)
        if report is not None:
            await reporter_unreachable(Case(uow=uow, deps=deps, now=deps.clock()), report, error)

    return handle


async def reporter_unreachable(case: Case, report: Report, error: str) -> None:
    """A message to the reporter failed for good (blocked the bot, account gone): the holder's
    groups and the coordinator are told, so nobody believes the reporter was answered."""
    reason = reporter.reporter_unreachable(case.work, report, error)
    await to_holder_groups(case, report, f"delivery.failed.{reason}")
    await to_coordinator_groups(case, report, f"delivery.failed.{reason}")
