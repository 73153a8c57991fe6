"""Fixtures every test folder may use: the loopback Bot API emulator and the users' side of it.

A folder whose tests need something else (the emulator's own tests, the outbox's flood limits)
overrides these in its own conftest or module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.emulator import Emulator, EmulatorClient
from tests.emulated import TOKEN


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    server = Emulator(port=0)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def telegram(emulator: Emulator) -> AsyncIterator[EmulatorClient]:
    """The users' side of Telegram."""
    async with EmulatorClient(emulator.base_url, TOKEN) as client:
        yield client
