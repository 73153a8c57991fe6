"""The reporter's actions on their report: more information or the answer to a question,
"sudah selesai" / "belum selesai", the rating and its comment; and a reporter who cannot be
reached. Each is one transaction's domain work in the caller's unit of work; the permission
check is ``core.decisions.decide``'s (the reporter acts, in the report's status), and its
refusal comes back as the reason key the door renders. What a change owes goes through the
door's :class:`ReporterNotices` (docs/cases.md).
"""

from __future__ import annotations

from typing import Protocol

from cases.changes import Work
from core.decisions import REPORTER, SYSTEM, Decision, Refusal
from core.permissions import CaseAction, reporter_message
from core.timeline import EventKind
from core.whatsapp import WHATSAPP_CHANNEL
from core.whatsapp_delivery import REASON_OF_CODE, WA_OTHER
from storage.models import Report
from storage.wa_window import HELD_CODES as WA_WINDOW_CODES

COMMENT_MAX = 1000


class ReporterNotices(Protocol):
    """What the reporter's action owes, rendered by the door in the same unit of work."""

    async def decided(self, report: Report, decision: Decision) -> None:
        """The notices ``decision`` owes (to the unit's groups, the coordinator, the cards)."""
        ...


class SilentNotices:
    """For a change that owes nothing (the reporter's "sudah selesai")."""

    async def decided(self, report: Report, decision: Decision) -> None:
        return None


async def _change(
    work: Work,
    report: Report,
    action: CaseAction,
    notices: ReporterNotices,
    *,
    note: str = "",
    rating: int | None = None,
) -> str:
    outcome = work.change(report, action, REPORTER, note=note, rating=rating)
    if isinstance(outcome, Refusal):
        return outcome.reason
    await notices.decided(report, outcome)
    return ""


async def add_information(work: Work, report: Report, text: str, notices: ReporterNotices) -> str:
    """The reporter's words (and photos) about their report: the answer to a pending question
    (the clock runs again) or more information. Returns a refusal key, or ''."""
    action = reporter_message(report.status)
    return await _change(work, report, action, notices, note=text)


async def confirm_done(work: Work, report: Report) -> str:
    """The reporter says the problem is solved: the report closes for good."""
    return await _change(work, report, CaseAction.CONFIRM, SilentNotices())


async def reopen(work: Work, report: Report, notices: ReporterNotices) -> str:
    """The reporter says "belum selesai": back to the unit, and the coordinator sees it."""
    return await _change(work, report, CaseAction.REOPEN, notices)


async def rate(work: Work, report: Report, rating: int, notices: ReporterNotices) -> str:
    """The reporter's stars (1-5) for the answer."""
    return await _change(work, report, CaseAction.RATE, notices, note=str(rating), rating=rating)


def comment_rating(work: Work, report: Report, comment: str) -> str:
    """The reporter's words with their rating; returns the comment as kept (cut to length)."""
    kept = comment[:COMMENT_MAX]
    report.rating_comment = kept
    work.record(report, EventKind.RATING_COMMENT, REPORTER, note=kept)
    return kept


def unreachable_reason(error: str, channel: str = "telegram") -> str:
    """Why a message to the reporter failed for good: ``blocked``, ``gone``, ``wa_window`` (kept
    for the WhatsApp citizen's next message: storage.wa_window) or ``other``; for a reporter on
    WhatsApp one of its own reasons (``core.whatsapp_delivery``), never Telegram's words."""
    lowered = error.lower()
    code = lowered.split()[1].rstrip(":") if lowered.startswith("whatsapp ") else ""
    if code in WA_WINDOW_CODES:
        return "wa_window"  # WhatsApp's 24-hour window: it goes when the citizen writes again
    if code or channel == WHATSAPP_CHANNEL:
        return REASON_OF_CODE.get(int(code) if code.isdigit() else 0, WA_OTHER)
    if "blocked" in lowered or "kicked" in lowered:
        return "blocked"
    if "not found" in lowered or "deactivated" in lowered:
        return "gone"
    return "other"


def reporter_unreachable(work: Work, report: Report, error: str) -> str:
    """Record that the reporter cannot be reached; returns the reason the door tells."""
    reason = unreachable_reason(error, report.channel)
    work.record(report, EventKind.UNDELIVERABLE, SYSTEM, note=reason)
    return reason
