"""The channel adapters, on each framework, pointed at the emulator (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.bootstrap import make_channel
from bot.channels.base import Channel
from bot.emulator import Emulator
from bot.settings import Settings
from tests.emulated import FRAMEWORKS, TOKEN
from tests.integration.case_world import world  # noqa: F401 (a fixture of the case-work tests)


@pytest.fixture
def open_channel(emulator: Emulator) -> Callable[[str], Channel]:
    """``open_channel(framework)``: an adapter for ``BOT_FRAMEWORK=framework``, 1 s long polls."""

    def make(framework: str) -> Channel:
        settings = Settings(
            _env_file=None,
            bot_framework=framework,
            telegram_api_url=emulator.base_url,
            polling_timeout=1,
        )
        return make_channel(settings, TOKEN)

    return make


@pytest.fixture(params=FRAMEWORKS)
async def channel(
    open_channel: Callable[[str], Channel], request: pytest.FixtureRequest
) -> AsyncIterator[Channel]:
    """Each test using it runs on both adapters, which must behave the same."""
    adapter = open_channel(request.param)
    yield adapter
    await adapter.stop()
    await adapter.close()
