"""↗ Bukan kewenangan from the console: the report page's picker of outside bodies. The request
carries the body's number (``ConsoleRequest.reason``); the bot looks it up again when it takes the
request (``handlers.console_requests``), so a body removed in between is refused there too."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from locales import Translator
from storage import referral_bodies
from storage.models import Report
from web.console.context import Refusal

#: The referral form's field: the body's number.
FIELD = "badan"


async def choices(session: AsyncSession) -> list[tuple[str, str]]:
    """The bodies a report may be referred to now (number, name)."""
    return [(str(body.id), body.name) for body in await referral_bodies.active(session)]


async def body_of(session: AsyncSession, raw: str) -> str:
    """The picked body's number, if it is on the list now; a :class:`Refusal` otherwise (none
    picked, a forged number, a body removed since the page was drawn)."""
    raw = raw.strip()
    body = await referral_bodies.get(session, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if body is None or not body.active:
        raise Refusal(400, "case.refused.unknown_body")
    return str(body.id)


async def referred_to(session: AsyncSession, tr: Translator, report: Report) -> str:
    """The body ``report`` was referred to, for its page ('' when none): a body removed from
    the list since still names it, marked so."""
    if report.referral_body_id is None:
        return ""
    body = await referral_bodies.get(session, report.referral_body_id)
    if body is None:
        return "-"
    return body.name if body.active else tr.t("console.refer.removed", body=body.name)
