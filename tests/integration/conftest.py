"""The channel adapters, on each framework, pointed at the emulator (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.channels.base import Channel
from emulator import Emulator
from runtime.deps import make_channel
from runtime.settings import Settings
from tests.databases import ENGINES, database_on
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


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Each test that uses a database runs on SQLite and on PostgreSQL (tests/databases.py)."""
    name: str = request.param
    return name


@pytest.fixture
async def database_url(engine_name: str, tmp_path: Path) -> AsyncIterator[str]:
    """A new, empty database on the test's engine; the code under test migrates it."""
    async with database_on(engine_name, tmp_path) as url:
        yield url
