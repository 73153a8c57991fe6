"""Units (coordinator, OPDs, kecamatan, desa), their group chats and binding codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BindingCode, Unit, UnitChat, UnitOfficer
from storage.repositories.outbox import _move_unsent
from storage.repositories.registry_memo import RegistryMemo, usable


class UnitRepository:
    """Units (coordinator, OPDs, kecamatan, desa), their group chats and binding codes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        #: The transaction's registry reads (the coordinator, a unit's chats, units with a
        #: group), answered once per transaction (see ``registry_memo``).
        self.memo = RegistryMemo(session)
        # Units read in this unit of work, kept alive (the session's identity map keeps a row
        # only while something refers to it): the next ``get`` of one is answered without SQL.
        self._held: dict[int, Unit] = {}

    async def get(self, unit_id: int) -> Unit | None:
        held = self._held.get(unit_id)
        if held is not None and usable(held):
            return held  # as the identity map would answer, without its cost (a transfer asks 6x)
        unit = await self._session.get(Unit, unit_id)
        if unit is not None:
            self._held[unit_id] = unit
        return unit

    async def by_code(self, code: str) -> Unit | None:
        return await self._session.scalar(select(Unit).where(Unit.code == code))

    async def by_area(self, area_code: str) -> Unit | None:
        return await self._session.scalar(select(Unit).where(Unit.area_code == area_code))

    async def coordinator(self) -> Unit | None:
        # The statements are built only when the memo cannot answer (building one costs more
        # Python than the memo's answer: a bulk transfer asks several times a report).
        async def load() -> Unit | None:
            query = select(Unit).where(Unit.kind == "coordinator").order_by(Unit.id).limit(1)
            return await self._session.scalar(query)

        return await self.memo.read(("coordinator",), load)

    async def all(self) -> list[Unit]:
        rows = await self._session.scalars(select(Unit).order_by(Unit.id))
        return list(rows)

    async def of_kind(self, kind: str) -> list[Unit]:
        rows = await self._session.scalars(
            select(Unit).where(Unit.kind == kind, Unit.active.is_(True)).order_by(Unit.name)
        )
        return list(rows)

    async def add(self, unit: Unit) -> Unit:
        self._session.add(unit)
        await self._session.flush()
        return unit

    async def chats_of(self, unit_id: int) -> list[UnitChat]:
        """The unit's bound (active) group chats."""

        async def load() -> list[UnitChat]:
            query = (
                select(UnitChat)
                .where(UnitChat.unit_id == unit_id, UnitChat.active.is_(True))
                .order_by(UnitChat.id)
            )
            return list(await self._session.scalars(query))

        # A copy: callers may add to the list they get (handlers.notices.refresh_cards).
        return list(await self.memo.read(("chats_of", unit_id), load))

    async def active_chats(self) -> list[UnitChat]:
        """Every bound group chat, by unit then binding order."""
        rows = await self._session.scalars(
            select(UnitChat)
            .where(UnitChat.active.is_(True))
            .order_by(UnitChat.unit_id, UnitChat.id)
        )
        return list(rows)

    async def unit_ids_with_chats(self) -> set[int]:
        async def load() -> set[int]:
            query = select(UnitChat.unit_id).where(UnitChat.active.is_(True)).distinct()
            return set(await self._session.scalars(query))

        return set(await self.memo.read(("with_chats",), load))

    async def officers(self, unit_id: int) -> list[UnitOfficer]:
        """The officers the unit named, in the order they were named."""
        rows = await self._session.scalars(
            select(UnitOfficer).where(UnitOfficer.unit_id == unit_id).order_by(UnitOfficer.id)
        )
        return list(rows)

    async def is_officer(self, unit_id: int, channel: str, user_id: str) -> bool:
        found = await self._session.scalar(
            select(UnitOfficer.id).where(
                UnitOfficer.unit_id == unit_id,
                UnitOfficer.channel == channel,
                UnitOfficer.user_id == user_id,
            )
        )
        return found is not None

    async def name_officer(
        self, unit_id: int, *, channel: str, user_id: str, name: str, by: str, now: datetime
    ) -> bool:
        """Name an officer of the unit; False if they already were one."""
        if await self.is_officer(unit_id, channel, user_id):
            return False
        self._session.add(
            UnitOfficer(
                unit_id=unit_id,
                channel=channel,
                user_id=user_id,
                name=name[:200],
                added_at=now,
                added_by=by,
            )
        )
        return True

    async def unname_officer(self, unit_id: int, channel: str, user_id: str) -> bool:
        """Withdraw an officer's naming; False if they were not one."""
        row = await self._session.scalar(
            select(UnitOfficer).where(
                UnitOfficer.unit_id == unit_id,
                UnitOfficer.channel == channel,
                UnitOfficer.user_id == user_id,
            )
        )
        if row is None:
            return False
        await self._session.delete(row)
        return True

    async def chat_by_id(self, row_id: int) -> UnitChat | None:
        """A binding row by its id (active or not)."""
        return await self._session.get(UnitChat, row_id)

    async def chat(self, channel: str, chat_id: str) -> UnitChat | None:
        """The binding row of a chat (active or not)."""
        return await self._session.scalar(
            select(UnitChat).where(UnitChat.channel == channel, UnitChat.chat_id == chat_id)
        )

    async def bind(
        self,
        unit_id: int,
        *,
        channel: str,
        chat_id: str,
        title: str,
        by: str,
        now: datetime,
        language: str = "id",
    ) -> UnitChat:
        """Bind a chat to a unit (rebinding an existing row moves it to the new unit). A new
        chat speaks ``language`` (the bot's default); a rebound one keeps the language it chose."""
        row = await self.chat(channel, chat_id)
        if row is None:
            row = UnitChat(channel=channel, chat_id=chat_id, unbound_reason="", language=language)
            self._session.add(row)
        row.unit_id = unit_id
        row.title = title[:255]
        row.bound_at = now
        row.bound_by = by
        row.active = True
        row.unbound_at = None
        row.unbound_reason = ""
        await self._session.flush()
        return row

    def unbind(self, row: UnitChat, *, reason: str, now: datetime) -> None:
        row.active = False
        row.unbound_at = now
        row.unbound_reason = reason

    async def move_chat(self, channel: str, old_chat_id: str, new_chat_id: str) -> bool:
        """A group became a supergroup: its binding and unsent messages follow the new id.

        Message links stay with the old id: the supergroup numbers its messages from 1 again,
        so an old message id there names some other, newer message (see :func:`_move_unsent`).
        """
        row = await self.chat(channel, old_chat_id)
        if row is None:
            return False
        row.chat_id = new_chat_id
        await _move_unsent(self._session, channel, old_chat_id, new_chat_id)
        return True

    def add_code(self, unit_id: int, code: str, *, now: datetime, expires_at: datetime) -> None:
        self._session.add(
            BindingCode(
                unit_id=unit_id, code=code, created_at=now, expires_at=expires_at, used_in_chat=""
            )
        )

    async def binding_code(self, code: str) -> BindingCode | None:
        return await self._session.scalar(select(BindingCode).where(BindingCode.code == code))
