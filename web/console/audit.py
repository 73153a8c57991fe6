"""The console's audit log: every sign-in, report view, photo, export and refusal is written
to ``console_audit`` in the viewer's name, with the session and the address it came from."""

from __future__ import annotations

from enum import StrEnum
from typing import NoReturn

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage import console as store
from web.console.auth import Viewer
from web.console.context import CONFIG, VIEWER, Refusal


class AuditAction(StrEnum):
    """What an audit entry records (stored; the audit page says ``console.audit.<value>``)."""

    LOGIN = "login"
    LOGIN_REFUSED = "login_refused"
    LOGOUT = "logout"
    VIEW = "view"
    PHOTO = "photo"
    EXPORT = "export"
    REFUSED = "refused"
    ACT = "act"  # an officer's action queued for the bot (web.console.acting)
    HOLD = "hold"  # the coordinator set a legal hold (web.console.holds)
    UNHOLD = "unhold"  # the coordinator lifted it
    TEMPLATE = "template"  # a ready answer saved or removed (web.console.ready_answers)
    SLIP = "slip"  # a new claim code issued for a counter slip (web.console.slip)
    REFERRAL_BODY = "referral_body"  # an outside body added, edited, removed (web.console.bodies)
    POSTER = "poster"  # posters downloaded (web.console.posters)


def client_address(request: web.Request) -> str:
    """The address the request came from (a reverse proxy's own, unless it is trusted)."""
    return (request.remote or "")[:64]


def record(
    session: AsyncSession,
    request: web.Request,
    action: AuditAction,
    subject: str = "",
    *,
    who: Viewer | None = None,
) -> None:
    """An audit entry: what, by whom (``who``, else the signed-in viewer), in which session and
    from which address (the caller commits)."""
    who = who or request.get(VIEWER)
    store.audit(
        session,
        now=request.config_dict[CONFIG].clock(),
        action=action,
        subject=subject,
        unit_id=who.unit.id if who else None,
        user_id=who.session.user_id if who else "",
        user_name=who.session.user_name if who else "",
        session_id=who.session.id if who else None,
        address=client_address(request),
    )


async def record_many(
    session: AsyncSession, request: web.Request, entries: list[tuple[AuditAction, str]]
) -> None:
    """Several entries (action, subject) by the signed-in viewer, written in one statement."""
    who: Viewer | None = request.get(VIEWER)
    now, address = request.config_dict[CONFIG].clock(), client_address(request)
    await store.audit_many(
        session,
        [
            {
                "now": now,
                "action": action,
                "subject": subject,
                "unit_id": who.unit.id if who else None,
                "user_id": who.session.user_id if who else "",
                "user_name": who.session.user_name if who else "",
                "session_id": who.session.id if who else None,
                "address": address,
            }
            for action, subject in entries
        ],
    )


async def refuse(session: AsyncSession, request: web.Request, subject: str) -> NoReturn:
    """Write down that the viewer asked for something outside their reach, and say no (403)."""
    record(session, request, AuditAction.REFUSED, subject)
    await session.commit()
    raise Refusal(403, "console.error.forbidden")
