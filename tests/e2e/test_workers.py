"""Several ``aduan run`` processes on one PostgreSQL database (real subprocesses, SIGKILL).

Each process polls the emulator, handles updates and competes for the two leases: the clock's
jobs and the sender run on exactly one process each; when that process is killed, another takes
over once the lease (3 s here) has expired, and the citizens' messages keep being answered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from emulator import EmulatorClient
from runtime.leader import REMINDERS, SENDER
from runtime.settings import Settings
from storage.models import Lease
from storage.uow import UnitOfWork
from tests.databases import database_on, migrate_for_test
from tests.e2e.helpers import SITI, ChatOf, Until

if TYPE_CHECKING:
    from tests.e2e.conftest import BotProcess, Store

pytestmark = pytest.mark.postgresql  # several processes share one server

START_TIMEOUT = 60.0  # a loaded machine takes several seconds to import the bot


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    async with database_on("postgresql", tmp_path) as url:
        yield url


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    return bot_settings.model_copy(update={"run_jobs": True, "leader_lease_seconds": 3.0})


@pytest.fixture
def second_process(bot_settings: Settings, tmp_path: Path) -> Iterator[BotProcess]:
    from tests.e2e.conftest import BotProcess

    workdir = tmp_path / "second"
    workdir.mkdir()
    process = BotProcess(bot_settings, workdir)
    yield process
    process.kill()


async def holders(store: Store) -> dict[str, str]:
    async with UnitOfWork(store.sessions) as uow:
        rows = await uow.session.scalars(select(Lease))
        return {lease.name: lease.holder for lease in rows}


def pid_of(holder: str) -> int:
    return int(holder.split(":")[1])


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["aiogram"], indirect=True)
async def test_the_survivor_takes_over_the_clock_and_the_sender(
    bot_process: BotProcess,
    second_process: BotProcess,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    until: Until,
    database_url: str,
) -> None:
    await migrate_for_test(database_url)  # so that the test may look at the leases from the start
    bot_process.start()

    async def first_leads() -> bool:
        leases = await holders(store)
        return {REMINDERS, SENDER} <= leases.keys() and all(
            pid_of(h) == bot_process.process.pid  # type: ignore[union-attr]
            for h in leases.values()
        )

    await until(first_leads, START_TIMEOUT)
    second_process.start()
    chat = chat_of(SITI)
    before = await chat.snapshot()
    await telegram.send_text(SITI, "/start")
    await chat.expect("Apakah Anda setuju?", before, timeout=START_TIMEOUT)

    bot_process.kill()

    async def second_leads() -> bool:
        leases = await holders(store)
        return all(pid_of(h) == second_process.process.pid for h in leases.values())  # type: ignore[union-attr]

    await until(second_leads, START_TIMEOUT)
    before = await chat.snapshot()
    await telegram.press_button(SITI, "✅ Saya setuju")
    await chat.expect("Silakan pilih menu di bawah.", before, timeout=START_TIMEOUT)
    assert second_process.terminate() == 0
    assert "now runs the reminders" in second_process.log_text()
