"""Leases: one row per duty that exactly one process of a deployment performs.

A lease is held until ``expires_at``; its holder renews it long before then. Another process
takes it only once it has expired, so a holder that dies is replaced within one lease period.
On PostgreSQL the row lock of the UPDATE decides between two processes racing for an expired
lease; SQLite has one writer. Times are the processes' own UTC clocks (keep them synchronised,
e.g. NTP; the lease period dwarfs their drift).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Lease

#: The holder of a released lease: nobody.
RELEASED = ""


async def acquire(
    session: AsyncSession,
    name: str,
    holder: str,
    *,
    now: datetime,
    period: timedelta,
    take_over: bool = False,
    replacing: str | None = None,
) -> bool:
    """Take or renew the lease ``name`` for ``period``; True when ``holder`` now holds it.

    ``take_over`` takes it even from a live holder (for a database only one process may use).
    ``replacing`` names a holder known to have ended: its lease is taken before it expires, but
    only while that holder still has it (of two processes racing for it, one wins).
    The caller commits.
    """
    free = or_(
        Lease.holder == holder,
        Lease.expires_at <= now,
        *(() if replacing is None else (Lease.holder == replacing,)),
    )
    renewed = await session.execute(
        update(Lease)
        .where(Lease.name == name, *(() if take_over else (free,)))
        .values(
            holder=holder,
            expires_at=now + period,
            acquired_at=case((Lease.holder == holder, Lease.acquired_at), else_=now),
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(renewed, "rowcount", 0):
        return True
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    created = await session.execute(
        insert(Lease)
        .values(name=name, holder=holder, expires_at=now + period, acquired_at=now)
        .on_conflict_do_nothing()
    )
    return bool(getattr(created, "rowcount", 0))


async def release(session: AsyncSession, name: str, holder: str, *, now: datetime) -> None:
    """Give the lease up at once (a clean stop), so that another process need not wait.

    The row keeps no holder: a released lease left nothing running (see :func:`last_holder`).
    """
    await session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=now, holder=RELEASED)
        .execution_options(synchronize_session=False)
    )


async def last_holder(session: AsyncSession, name: str) -> str | None:
    """Who held ``name`` last, expired or not; None if nobody, or if it was released (a clean
    stop: its duty had ended). The row stays locked until the caller's commit (PostgreSQL)."""
    found = await session.scalar(select(Lease.holder).where(Lease.name == name).with_for_update())
    return found or None


async def holder_of(session: AsyncSession, name: str, *, now: datetime) -> str | None:
    """The live holder of ``name``, if any."""
    lease = await session.get(Lease, name, populate_existing=True)
    if lease is None or lease.expires_at <= now or lease.holder == RELEASED:
        return None
    return lease.holder
