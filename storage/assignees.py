"""Who a report can be assigned to (``cases.assignment``): the officers the unit named and the
members the bot has seen act in the unit's groups (``unit_members``).

Telegram does not list a group's members to a bot, and in privacy mode the bot sees only
commands, replies to it and button presses; so a member becomes known by using the bot there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, UnitMember, UnitOfficer

#: A member's row is rewritten at most this often when only the time changed (a group's every
#: press would otherwise write).
SEEN_REFRESH: Final = timedelta(days=1)
#: How many people a picker offers (the named officers first, then the members seen lately).
PICKER_MAX: Final = 20


@dataclass(frozen=True)
class Candidate:
    """Someone of the unit a report may be assigned to."""

    user_id: str
    name: str
    named: bool  # a named officer (unit_officers), not only seen in the group


async def seen(
    session: AsyncSession, unit_id: int, channel: str, user_id: str, name: str, now: datetime
) -> None:
    """``user_id`` acted in a group of ``unit_id``: remember them (and their current name)."""
    row = await session.scalar(
        select(UnitMember).where(
            UnitMember.unit_id == unit_id,
            UnitMember.channel == channel,
            UnitMember.user_id == user_id,
        )
    )
    if row is None:
        session.add(
            UnitMember(unit_id=unit_id, channel=channel, user_id=user_id, name=name, seen_at=now)
        )
    elif row.name != name or now - row.seen_at >= SEEN_REFRESH:
        row.name, row.seen_at = name, now


async def candidates(session: AsyncSession, unit_id: int, channel: str) -> list[Candidate]:
    """The unit's named officers, then the members seen in its groups, newest first."""
    officers = await session.scalars(
        select(UnitOfficer)
        .where(UnitOfficer.unit_id == unit_id, UnitOfficer.channel == channel)
        .order_by(UnitOfficer.id)
    )
    found = {o.user_id: Candidate(o.user_id, o.name, named=True) for o in officers}
    members = await session.scalars(
        select(UnitMember)
        .where(UnitMember.unit_id == unit_id, UnitMember.channel == channel)
        .order_by(UnitMember.seen_at.desc(), UnitMember.id)
    )
    for member in members:
        known = found.get(member.user_id)
        if known is None:
            found[member.user_id] = Candidate(member.user_id, member.name, named=False)
        elif not known.name:
            found[member.user_id] = Candidate(member.user_id, member.name, named=True)
    return list(found.values())[:PICKER_MAX]


async def candidate(
    session: AsyncSession, unit_id: int, channel: str, user_id: str
) -> Candidate | None:
    """``user_id`` as someone of the unit (None: the unit has never known them)."""
    officer = await session.scalar(
        select(UnitOfficer).where(
            UnitOfficer.unit_id == unit_id,
            UnitOfficer.channel == channel,
            UnitOfficer.user_id == user_id,
        )
    )
    member = await session.scalar(
        select(UnitMember).where(
            UnitMember.unit_id == unit_id,
            UnitMember.channel == channel,
            UnitMember.user_id == user_id,
        )
    )
    if officer is None and member is None:
        return None
    name = officer.name if officer is not None and officer.name else ""
    if not name and member is not None:
        name = member.name
    return Candidate(user_id, name, named=officer is not None)


async def private_language(session: AsyncSession, channel: str, user_id: str) -> str | None:
    """The language of ``user_id``'s private chat with the bot; None when they never started it
    (a bot may not write first to someone who has not)."""
    return await session.scalar(
        select(Conversation.language).where(
            Conversation.channel == channel, Conversation.chat_id == user_id
        )
    )
