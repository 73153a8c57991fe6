"""Who is looking: the signed session cookie, and which units' reports that person may see.

The cookie holds a random session token and its HMAC; a cookie that does not verify is treated
as no cookie at all (never an error page with details). The session row decides the rest:
logging out or 12 hours end it. The coordinator's admins see every unit; a unit's admins see
their unit and, for a kecamatan, its desa.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.permissions import UnitKind
from storage.console import live_session
from storage.models import ConsoleSession, Unit
from web.console.config import ConsoleConfig

COOKIE = "aduan_konsol"
#: A signed cookie is a 43-character token, a dot and 64 hex digits; anything far longer is not.
MAX_COOKIE = 256


def sign(secret: bytes, token: str) -> str:
    mac = hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()
    return f"{token}.{mac}"


def unsign(secret: bytes, value: str) -> str | None:
    """The token of a cookie this console signed; None for anything else (any characters)."""
    token, _, mac = value.rpartition(".")
    if not token or not mac or len(value) > MAX_COOKIE or not value.isascii():
        return None
    expected = hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()
    return token if hmac.compare_digest(expected.encode(), mac.encode()) else None


@dataclass(frozen=True)
class Viewer:
    """The signed-in admin, their unit and the unit ids they may see (None: every unit)."""

    session: ConsoleSession
    unit: Unit
    visible: frozenset[int] | None

    @property
    def is_coordinator(self) -> bool:
        return self.unit.kind == UnitKind.COORDINATOR

    def may_see(self, unit_id: int | None) -> bool:
        return self.visible is None or (unit_id is not None and unit_id in self.visible)


async def visible_units(session: AsyncSession, unit: Unit) -> frozenset[int] | None:
    if unit.kind == UnitKind.COORDINATOR:
        return None
    ids = {unit.id}
    if unit.kind == UnitKind.KECAMATAN:
        ids.update(await session.scalars(select(Unit.id).where(Unit.parent_id == unit.id)))
    return frozenset(ids)


async def viewer_of(
    request: web.Request, session: AsyncSession, config: ConsoleConfig, *, token: str = ""
) -> Viewer | None:
    """Who the session cookie (or a session ``token`` just opened) belongs to, if still live."""
    if not token:
        raw = request.cookies.get(COOKIE, "")
        token = (unsign(config.secret, raw) if raw else None) or ""
    if not token:
        return None
    found = await live_session(session, token, now=config.sign_in_now())
    if found is None:
        return None
    unit = await session.get(Unit, found.unit_id)
    if unit is None or not unit.active:
        return None
    return Viewer(found, unit, await visible_units(session, unit))


def set_cookie(response: web.StreamResponse, config: ConsoleConfig, token: str) -> None:
    response.set_cookie(
        COOKIE,
        sign(config.secret, token),
        max_age=int(config.session_ttl.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=config.secure_cookie,
        path="/",
    )
