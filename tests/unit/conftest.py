"""The loopback emulator and a real aiogram Bot pointed at it, for the emulator's own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from emulator import Emulator, EmulatorClient
from tests.unit.emulator_support import TOKEN


class _LoopbackSession(AiohttpSession):
    async def close(self) -> None:
        # aiogram sleeps 250 ms after closing for TLS shutdown; loopback HTTP needs no wait.
        if self._session is not None and not self._session.closed:
            await self._session.close()


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as server:
        yield server


@pytest.fixture
async def tg(emulator: Emulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.base_url, TOKEN) as client:
        yield client


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    session = _LoopbackSession(api=TelegramAPIServer.from_base(emulator.base_url))
    telegram_bot = Bot(TOKEN, session=session)
    yield telegram_bot
    await telegram_bot.session.close()
