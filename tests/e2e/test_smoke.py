"""The real bot answers through the emulator, and updates survive a crash of the bot bot_process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import pytest

from emulator import EmulatorClient, TgUser
from tests.databases import ENGINES

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest itself
    from tests.e2e.conftest import BotProcess, RunningBot, Settle, Store

Until = Callable[[Callable[[], Awaitable[bool]], float], Awaitable[None]]

SITI = TgUser(id=1001, first_name="Siti")

#: The bot migrates its own empty database as it starts (tests/e2e/conftest.py: database_url).
FROM_EMPTY_DATABASE = True


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Every test here runs on SQLite and on PostgreSQL (tests/databases.py)."""
    return str(request.param)


async def test_start_is_recorded_confirmed_and_answered(
    running_bot: RunningBot, telegram: EmulatorClient, store: Store, until: Until, settle: Settle
) -> None:
    await telegram.send_text(SITI, "/start")
    greeting = await telegram.wait_for_message(SITI.id, contains="Kanal Aduan", timeout=15)
    assert greeting["chat"]["id"] == SITI.id
    await settle()
    assert await telegram.pending_updates() == []  # confirmed to "Telegram"
    rows = await store.inbox()
    assert len(rows) == 1
    assert rows[0].processed_at is not None
    assert rows[0].payload is None


@pytest.mark.slow
async def test_sigkill_loses_nothing(
    cold_bot_process: BotProcess,
    telegram: EmulatorClient,
    store: Store,
    until: Until,
    settle: Settle,
) -> None:
    """On the real entry point, ``python -m cli.main run`` in a fresh interpreter (the crash tests
    fork theirs from a pre-imported parent)."""
    bot_process = cold_bot_process
    bot_process.start()
    await telegram.send_text(SITI, "/start")
    await telegram.wait_for_message(SITI.id, contains="Kanal Aduan", timeout=30)
    bot_process.kill()

    # Written while the bot is dead: Telegram keeps it until the restarted bot confirms it.
    await telegram.send_text(SITI, "/bantuan")
    bot_process.start()

    async def both_processed() -> bool:
        rows = await store.inbox()
        return len(rows) == 2 and all(r.processed_at is not None for r in rows)

    await until(both_processed, 30)
    await settle()
    assert await telegram.pending_updates() == []
    assert bot_process.terminate() == 0


async def test_command_menu_is_published_in_both_languages(
    running_bot: RunningBot, telegram: EmulatorClient, until: Until
) -> None:
    scope = {"type": "all_private_chats"}

    async def published() -> bool:
        result = await telegram.call("getMyCommands", scope=scope, language_code="en")
        return bool(result.get("result"))

    await until(published, 15)
    indonesian = await telegram.call("getMyCommands", scope=scope)
    english = await telegram.call("getMyCommands", scope=scope, language_code="en")
    assert {"command": "baru", "description": "Buat laporan baru"} in indonesian["result"]
    assert {"command": "baru", "description": "File a new report"} in english["result"]


async def test_menus_for_citizens_and_officers_are_published(
    running_bot: RunningBot, telegram: EmulatorClient, until: Until
) -> None:
    async def menu(scope: str, language: str = "") -> list[str]:
        params: dict[str, object] = {"scope": {"type": scope}}
        if language:
            params["language_code"] = language
        answer = await telegram.call("getMyCommands", **params)
        return [c["command"] for c in answer["result"]]

    async def published() -> bool:
        return bool(await menu("all_group_chats", "en"))

    await until(published, 15)
    assert (await menu("all_private_chats"))[0] == "baru"
    officers = await menu("all_group_chats")
    assert officers[:2] == ["antrian", "terlambat"]
    assert "verifikasi" in officers
    answer = await telegram.call("getMyCommands", scope={"type": "all_group_chats"})
    assert answer["result"][0]["description"] == "Laporan terbuka unit ini dan tenggatnya"
