"""A citizen's command typed in a group chat always gets the pointer to the private chat, whatever
spelling of it the private chat accepts; nothing is created for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import commands
from handlers.events import ChatKind
from storage.models import Citizen, Conversation
from tests.integration.conversation_driver import Driver, texts

USER = 5002
#: Every command the private chat accepts that only makes sense there (written out here, so the
#: test does not read the list it checks).
CITIZEN_COMMANDS = (
    "baru", "lapor", "new", "status", "cek", "laporansaya", "myreports",
    "bahasa", "language", "batal", "cancel", "loket", "atasnama", "klaim", "claim",
    "dataku", "mydata",
)  # fmt: skip


@pytest.fixture
async def driver(tmp_path: Path) -> AsyncIterator[Driver]:
    d = Driver(tmp_path / "aduan.db")
    await d.start()
    yield d
    await d.close()


@pytest.mark.parametrize("command", CITIZEN_COMMANDS)
async def test_a_citizen_command_in_a_group_points_to_the_private_chat(
    driver: Driver, command: str
) -> None:
    actions = await driver.text(USER, f"/{command}", kind=ChatKind.GROUP)
    assert len(texts(actions)) == 1
    assert "chat pribadi" in texts(actions)[0]
    async with driver.factory() as session:
        assert await session.scalar(select(func.count()).select_from(Citizen)) == 0
        conversations = list(await session.scalars(select(Conversation)))
        # No draft is started; the group's conversation keeps only the sender's flood window.
        assert all(set(c.draft) <= {"v", "flood"} for c in conversations)


def test_the_written_list_is_the_vocabulary_the_group_answers() -> None:
    assert frozenset(CITIZEN_COMMANDS) == commands.CITIZEN_ONLY
