"""Single-use login links, sessions and the audit log of the console.

Login links and session cookies carry a random token; only its SHA-256 is stored, so a copy of
the database lets nobody in. A link is spent on first use and lapses after its time.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConsoleAudit, ConsoleLogin, ConsoleSession, Unit

LOGIN_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_login(
    session: AsyncSession,
    unit_id: int,
    *,
    now: datetime,
    user_id: str = "",
    user_name: str = "",
    ttl: timedelta = LOGIN_TTL,
) -> str:
    """A new single-use login token for ``unit_id``'s console (the caller commits)."""
    token = secrets.token_urlsafe(24)
    session.add(
        ConsoleLogin(
            token_hash=token_hash(token),
            unit_id=unit_id,
            user_id=user_id,
            user_name=user_name[:200],
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return token


async def redeem_login(
    session: AsyncSession, token: str, *, now: datetime
) -> tuple[ConsoleLogin | None, str]:
    """Spend a login token: (the login, '') or (None, 'unknown' | 'used' | 'expired').

    The spend is one compare-and-set, so two tabs opening the same link get one session."""
    login = await session.scalar(
        select(ConsoleLogin).where(ConsoleLogin.token_hash == token_hash(token))
    )
    if login is None:
        return None, "unknown"
    if login.used_at is not None:
        return None, "used"
    if login.expires_at <= now:
        return None, "expired"
    spent = await session.execute(
        update(ConsoleLogin)
        .where(ConsoleLogin.id == login.id, ConsoleLogin.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:
        return None, "used"
    return login, ""


async def open_session(
    session: AsyncSession, login: ConsoleLogin, *, now: datetime, ttl: timedelta = SESSION_TTL
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=token_hash(token),
            unit_id=login.unit_id,
            user_id=login.user_id,
            user_name=login.user_name,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return token


async def live_session(
    session: AsyncSession, token: str, *, now: datetime
) -> ConsoleSession | None:
    found = await session.scalar(
        select(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token))
    )
    if found is None or found.ended_at is not None or found.expires_at <= now:
        return None
    return found


def audit(
    session: AsyncSession,
    *,
    now: datetime,
    action: str,
    subject: str = "",
    unit_id: int | None = None,
    user_id: str = "",
    user_name: str = "",
    session_id: int | None = None,
    address: str = "",
) -> None:
    session.add(
        ConsoleAudit(
            at=now,
            unit_id=unit_id,
            user_id=user_id,
            user_name=user_name[:200],
            action=action,
            subject=subject[:500],
            session_id=session_id,
            address=address[:64],
        )
    )


async def audit_many(session: AsyncSession, entries: list[dict[str, object]]) -> None:
    """Several audit entries (the keyword arguments :func:`audit` takes) in one statement."""
    if entries:
        await session.execute(
            insert(ConsoleAudit),
            [
                {
                    "at": e["now"],
                    "unit_id": e.get("unit_id"),
                    "user_id": e.get("user_id", ""),
                    "user_name": str(e.get("user_name", ""))[:200],
                    "action": e["action"],
                    "subject": str(e.get("subject", ""))[:500],
                    "session_id": e.get("session_id"),
                    "address": str(e.get("address", ""))[:64],
                }
                for e in entries
            ],
        )


async def audit_page(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[ConsoleAudit], int]:
    total = await session.scalar(select(func.count()).select_from(ConsoleAudit)) or 0
    rows = await session.scalars(
        select(ConsoleAudit).order_by(ConsoleAudit.id.desc()).offset(offset).limit(limit)
    )
    return list(rows), total


async def audit_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[ConsoleAudit, str]]:
    """Audit entries from ``start`` up to (not including) ``end``, oldest first, each with the
    name of the unit it was made in ("" when none)."""
    rows = await session.execute(
        select(ConsoleAudit, Unit.name)
        .outerjoin(Unit, Unit.id == ConsoleAudit.unit_id)
        .where(ConsoleAudit.at >= start, ConsoleAudit.at < end)
        .order_by(ConsoleAudit.at, ConsoleAudit.id)
    )
    return [(entry, name or "") for entry, name in rows.all()]
