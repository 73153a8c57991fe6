"""Binding a unit's group (daftar), releasing it (lepas), the coordinator's yes or no to a
unit's second group, and a binding code for a unit. Each is one transaction's domain work in
the caller's unit of work; the door renders the outcome (the group's guide, the announcements
in the coordinator's groups, the cards of the unit's open reports).

Who may do these is the group's Telegram admins (``core.roles``). Whether the sender is an
admin needs Telegram (``getChatMember``): the door asks *before* calling a use case and passes
the answer in, so no use case waits on the network (docs/cases.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.permissions import UnitKind
from storage.models import Unit, UnitChat
from storage.unit_registry import issue_binding_code
from storage.uow import UnitOfWork

#: ``unbound_reason`` of a binding that waits for the coordinator, and of a refused one.
AWAITING = "awaiting_confirmation"
REFUSED = "refused_by_coordinator"
#: ``unbound_reason`` of a group released with /lepas.
RELEASED = "unbound"


class BindingRefusal(StrEnum):
    """Why a binding step was not taken (``group.<value>`` / ``button.<value>`` in the door)."""

    ADMIN_ONLY = "admin_only"
    CODE_UNKNOWN = "code_unknown"
    CODE_USED = "code_used"
    CODE_EXPIRED = "code_expired"
    COORDINATOR_ONLY = "coordinator_only"
    UNIT_UNKNOWN = "unit_unknown"
    STALE = "stale"


@dataclass(frozen=True)
class Bound:
    """A group bound to ``unit``; ``held``: the unit has another group, so the binding waits
    for the coordinator's yes (the door asks them); ``moved_from``: the unit it had before."""

    chat: UnitChat
    unit: Unit
    held: bool
    moved_from: int | None = None


async def bind_group(
    uow: UnitOfWork,
    now: datetime,
    code: str,
    *,
    admin: bool,
    channel: str,
    chat_id: str,
    title: str,
    by: str,
    language: str = "id",
) -> Bound | BindingRefusal:
    """``/daftar CODE`` in a group: bind it to the code's unit (the code is then used); a group
    new to the bot speaks ``language``, the bot's default."""
    if not admin:
        return BindingRefusal.ADMIN_ONLY
    found = await uow.units.binding_code(code)
    if found is None:
        return BindingRefusal.CODE_UNKNOWN
    if found.used_at is not None:
        return BindingRefusal.CODE_USED
    if found.expires_at <= now:
        return BindingRefusal.CODE_EXPIRED
    unit = await uow.units.get(found.unit_id)
    if unit is None:
        return BindingRefusal.CODE_UNKNOWN
    before = await uow.units.chat(channel, chat_id)
    moved_from = before.unit_id if before is not None and before.active else None
    found.used_at = now
    found.used_in_chat = chat_id
    chat = await uow.units.bind(
        unit.id, channel=channel, chat_id=chat_id, title=title, by=by, now=now, language=language
    )
    others = [c for c in await uow.units.chats_of(unit.id) if c.id != chat.id]
    held = bool(others)  # a unit that has a group gets another only with the coordinator's yes
    if held:
        chat.active = False
        chat.unbound_reason = AWAITING
    moved = moved_from if moved_from is not None and moved_from != unit.id else None
    return Bound(chat, unit, held, moved)


def release_group(uow: UnitOfWork, now: datetime, chat: UnitChat, *, admin: bool) -> bool:
    """``/lepas``: the group no longer receives the unit's reports. False: not an admin."""
    if not admin:
        return False
    uow.units.unbind(chat, reason=RELEASED, now=now)
    return True


async def answer_binding(
    uow: UnitOfWork,
    now: datetime,
    here: UnitChat | None,
    row_id: str,
    *,
    yes: bool,
    admin: bool,
) -> Bound | BindingRefusal:
    """The coordinator's group answers a held binding (``row_id``): ``yes`` makes it active,
    no refuses it. Only from an active group of the coordinator, only by its admins."""
    coordinator = await uow.units.coordinator()
    if here is None or not here.active or coordinator is None or here.unit_id != coordinator.id:
        return BindingRefusal.COORDINATOR_ONLY
    if not admin:
        return BindingRefusal.ADMIN_ONLY
    chat = await uow.units.chat_by_id(int(row_id)) if row_id.isdigit() else None
    unit = await uow.units.get(chat.unit_id) if chat is not None else None
    if chat is None or unit is None or chat.active or chat.unbound_reason != AWAITING:
        return BindingRefusal.STALE
    if yes:
        chat.active, chat.unbound_reason = True, ""
    else:
        chat.unbound_reason = REFUSED
        chat.unbound_at = now
    return Bound(chat, unit, held=False)


@dataclass(frozen=True)
class IssuedCode:
    unit: Unit
    code: str
    expires: datetime


async def issue_code(
    uow: UnitOfWork, now: datetime, here: Unit, unit_code: str, *, ttl: timedelta, admin: bool
) -> IssuedCode | BindingRefusal:
    """``/kode UNIT`` in the coordinator's group: a one-time binding code for that unit."""
    if here.kind != UnitKind.COORDINATOR:
        return BindingRefusal.COORDINATOR_ONLY
    if not admin:
        return BindingRefusal.ADMIN_ONLY
    target = await uow.units.by_code(unit_code.lower()) if unit_code else None
    if target is None:
        return BindingRefusal.UNIT_UNKNOWN
    code = await issue_binding_code(uow, target.id, now=now, ttl=ttl)
    return IssuedCode(target, code, now + ttl)
