"""Whether someone is a group's admin is asked of Telegram (``getChatMember``) before the turn
writes anything: the group's entry points ask first, before their first query, so the wait
holds no write lock (docs/cases.md, "The role, and the network")."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from core.callbacks import sign_callback
from handlers.app import Conversations
from handlers.events import ButtonPress, ChatKind, Sender
from storage.unit_registry import seed_units
from storage.uow import UnitOfWork
from tests.integration.conversation_driver import Driver, texts

ADMIN = 5003
GROUP = "-100"  # the driver's group chat
WRITES = ("INSERT", "UPDATE", "DELETE")


class AskedAdmins:
    """A ``ChatAdmins`` that says yes and notes which writes the turn had made when asked."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.writes_when_asked: list[list[str]] = []

    def listen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    async def is_admin(self, channel: str, chat_id: str, user_id: str) -> bool:
        writes = [s for s in self.statements if s.lstrip().upper().startswith(WRITES)]
        self.writes_when_asked.append(writes)
        return True

    async def is_member(self, channel: str, chat_id: str, user_id: str) -> bool:
        return True


@pytest.fixture
async def driver(tmp_path: Path) -> AsyncIterator[tuple[Driver, AskedAdmins]]:
    d = Driver(tmp_path / "aduan.db")
    await d.start()
    admins = AskedAdmins()
    deps = dataclasses.replace(d.conversations.deps, admins=admins)
    d.conversations = Conversations(deps)
    async with UnitOfWork(d.factory) as uow:
        await seed_units(uow, deps.regions, d.clock(), categories=deps.categories)
        coordinator = await uow.units.coordinator()
        assert coordinator is not None
        await uow.units.bind(
            coordinator.id, channel="telegram", chat_id=GROUP, title="Koordinator", by="1",
            now=d.clock(),
        )  # fmt: skip
        await uow.commit()
    # The group's conversation exists already (its first update inserts it).
    await d.text(ADMIN, "/bantuan", kind=ChatKind.GROUP)
    event.listen(d.engine.sync_engine, "before_cursor_execute", admins.listen)
    yield d, admins
    await d.close()


async def test_a_command_that_needs_an_admin_asks_before_the_turn_writes(
    driver: tuple[Driver, AskedAdmins],
) -> None:
    d, admins = driver
    actions = await d.text(ADMIN, "/selesai bukan-nomor", kind=ChatKind.GROUP)
    assert admins.writes_when_asked == [[]]
    assert any("nomor" in text.lower() for text in texts(actions)), texts(actions)
    # The turn did write afterwards (its flood count, its answer): the test could see writes.
    assert any(s.lstrip().upper().startswith(WRITES) for s in admins.statements)


async def test_a_press_that_needs_an_admin_asks_before_the_turn_writes(
    driver: tuple[Driver, AskedAdmins],
) -> None:
    d, admins = driver
    press = ButtonPress(
        channel="telegram",
        chat_id=GROUP,
        chat_kind=ChatKind.GROUP,
        callback_id="cb1",
        sender=Sender(user_id=str(ADMIN), first_name="Kades"),
        data=sign_callback("u:999:done", b"test"),
        message_id=7,
    )
    await d._handle(press)
    assert admins.writes_when_asked == [[]]


async def test_a_verification_asks_telegram_nothing(driver: tuple[Driver, AskedAdmins]) -> None:
    d, admins = driver
    await d.text(ADMIN, "/verifikasi bukan-nomor", kind=ChatKind.GROUP)
    assert admins.writes_when_asked == []
