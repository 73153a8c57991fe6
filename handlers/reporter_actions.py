"""The reporter's side of a report's life: more information or the answer to a question,
"sudah selesai" / "belum selesai", the rating; and what happens when the reporter cannot be
reached. Each change goes through :meth:`handlers.case.Case.change` (docs/lifecycle.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from core.decisions import REPORTER, SYSTEM, Audience, Refusal
from core.lifecycle import OPEN_STATUSES, ReportStatus
from core.permissions import CaseAction, reporter_message
from core.purposes import Purpose
from core.timeline import EventKind
from handlers import relays
from handlers.case import Case
from handlers.deps import HandlerDeps
from handlers.events import Photo
from handlers.notices import (
    deliver,
    media_actions,
    media_items,
    to_coordinator_groups,
    to_holder_groups,
)
from handlers.routing import holder_chats
from handlers.similar import SUPPORTER
from storage.models import Report
from storage.uow import UnitOfWork

COMMENT_MAX = 1000


async def relay_from_reporter(
    case: Case, report: Report, text: str, photos: Sequence[Photo]
) -> str:
    """The reporter's answer or added information, into the holder's groups as a reply to the
    card. Answers a pending question (the clock runs again). Returns a refusal key or ''."""
    action = reporter_message(ReportStatus(report.status))
    outcome = case.change(report, action, REPORTER, note=text)
    if isinstance(outcome, Refusal):
        return outcome.reason

    async def gathered() -> None:
        # The reporter's words wait gathered per group behind the officers' messages
        # (handlers/relays.py); photos go on as they are.
        items = media_items(photos)
        for chat in await holder_chats(case, report):
            tr = case.tr(chat.language)
            await relays.queue_text(case.uow, tr, report, chat, text or "📷", case.now)
            for media in media_actions(chat.chat_id, items):
                case.emit(chat.channel, media, report, purpose=Purpose.RELAY)

    await deliver(case, report, outcome, {"text": text or "-"}, special={Audience.HOLDER: gathered})
    return ""


async def relay_from_supporter(
    case: Case, report: Report, text: str, photos: Sequence[Photo]
) -> str:
    """A supporter's addition (laporan serupa): into the holder's groups as a reply to the card,
    labelled as from a supporter, never who. Nothing of the report's life changes: it is not the
    reporter's answer to a question, and the clock stands as it is. Returns a refusal key or ''."""
    if ReportStatus(report.status) not in OPEN_STATUSES:
        return "supporter_closed"
    case.record(report, EventKind.SUPPORTER_NOTE, SUPPORTER, note=text)
    items = media_items(photos)
    for chat in await holder_chats(case, report):
        tr = case.tr(chat.language)
        await relays.queue_text(
            case.uow, tr, report, chat, text or "📷", case.now, source=relays.FROM_SUPPORTER
        )
        for media in media_actions(chat.chat_id, items):
            case.emit(chat.channel, media, report, purpose=Purpose.RELAY)
    return ""


async def confirm_done(case: Case, report: Report) -> str:
    """The reporter says the problem is solved: the report closes for good."""
    outcome = case.change(report, CaseAction.CONFIRM, REPORTER)
    return outcome.reason if isinstance(outcome, Refusal) else ""


async def reopen(case: Case, report: Report) -> str:
    """The reporter says "belum selesai": back to the unit, and the coordinator sees it."""
    outcome = case.change(report, CaseAction.REOPEN, REPORTER)
    if isinstance(outcome, Refusal):
        return outcome.reason
    await deliver(case, report, outcome)
    return ""


async def rate(case: Case, report: Report, rating: int) -> str:
    outcome = case.change(report, CaseAction.RATE, REPORTER, note=str(rating), rating=rating)
    if isinstance(outcome, Refusal):
        return outcome.reason
    await deliver(case, report, outcome, {"rating": rating})
    return ""


async def comment_rating(case: Case, report: Report, comment: str) -> None:
    report.rating_comment = comment[:COMMENT_MAX]
    case.record(report, EventKind.RATING_COMMENT, REPORTER, note=comment[:COMMENT_MAX])
    await to_holder_groups(case, report, "group.rating_comment", text=comment[:COMMENT_MAX])


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
    lowered = error.lower()
    if "blocked" in lowered or "kicked" in lowered:
        reason = "blocked"
    elif "not found" in lowered or "deactivated" in lowered:
        reason = "gone"
    else:
        reason = "other"
    case.record(report, EventKind.UNDELIVERABLE, SYSTEM, note=reason)
    await to_holder_groups(case, report, f"delivery.failed.{reason}")
    await to_coordinator_groups(case, report, f"delivery.failed.{reason}")
