"""``aduan units officers UNIT``: the officers a unit named (petugas yang ditunjuk).

A named officer has a group admin's rights over reports in the unit's groups (finish, transfer,
archive, answer a colleague's prompt) without being a Telegram admin there (``core.roles``).
Naming or withdrawing one is announced in the unit's groups and the coordinator's, through the
outbox like everything the bot says, so nobody gains rights unseen.
"""

from __future__ import annotations

from datetime import datetime

from handlers.actions import SendText
from handlers.outgoing import emit
from locales import Catalogs, Translator
from storage.models import Unit
from storage.uow import UnitOfWork

CHANNEL = "telegram"


async def unit_officers(
    uow: UnitOfWork,
    tr: Translator,
    unit: Unit,
    add: str | None,
    remove: str | None,
    name: str,
    now: datetime,
) -> int:
    """List the unit's officers, after naming ``add`` or withdrawing ``remove``."""
    for user_id in (add, remove):
        if user_id is not None and not user_id.strip().isdigit():
            print(tr.t("cli.officers.bad_user", user=user_id))
            return 1
    async with uow:
        if add is not None:
            done = await uow.units.name_officer(
                unit.id, channel=CHANNEL, user_id=add.strip(), name=name, by="cli", now=now
            )
            print(tr.t("cli.officers.added" if done else "cli.officers.already", user=add))
            if done:
                await _announce(uow, unit, "officers.named", name or add, now)
        if remove is not None:
            done = await uow.units.unname_officer(unit.id, CHANNEL, remove.strip())
            print(tr.t("cli.officers.removed" if done else "cli.officers.not_found", user=remove))
            if done:
                await _announce(uow, unit, "officers.withdrawn", remove, now)
        await uow.commit()
        officers = await uow.units.officers(unit.id)
    if not officers:
        print(tr.t("cli.officers.none", unit=unit.name))
        return 0
    print(tr.t("cli.officers.header", unit=unit.name, count=len(officers)))
    for officer in officers:
        print(tr.t("cli.officers.item", user=officer.user_id, name=officer.name or "-"))
    return 0


async def _announce(uow: UnitOfWork, unit: Unit, key: str, who: str, now: datetime) -> None:
    catalogs = Catalogs()
    coordinator = await uow.units.coordinator()
    chats = await uow.units.chats_of(unit.id)
    if coordinator is not None and coordinator.id != unit.id:
        chats += await uow.units.chats_of(coordinator.id)
    for chat in chats:
        text = catalogs.get(chat.language).t(key, who=who, unit=unit.name)
        emit(uow, chat.channel, chat.chat_id, SendText(chat_id=chat.chat_id, text=text), now)
