"""The training sandbox in this event loop: the emulator, the real bot and the page's server,
all on loopback ports, with the sandbox's clock started at a fixed moment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web

from runtime.settings import Settings
from web.sandbox import Sandbox, create_app

WITA = ZoneInfo("Asia/Makassar")
#: Tuesday 3 February 2026, a working day with three more before the next day off.
START = datetime(2026, 2, 3, 9, 0, tzinfo=WITA)

JsonDict = dict[str, Any]


@dataclass
class Site:
    """The sandbox and an HTTP client of its page's API."""

    sandbox: Sandbox
    url: str
    http: aiohttp.ClientSession

    async def get(self, path: str) -> Any:
        async with self.http.get(self.url + path) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def post(self, path: str, body: JsonDict | None = None, *, status: int = 200) -> Any:
        async with self.http.post(self.url + path, json=body or {}) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def messages(self, pane: str) -> list[JsonDict]:
        listed: list[JsonDict] = await self.get(f"/api/panes/{pane}/messages")
        return listed


def sandbox_settings() -> Settings:
    """The product's defaults, except that the clock's scheduled round runs only on start: the
    tests move the clock themselves and count what each of their rounds sent."""
    return Settings(_env_file=None, jobs_interval_seconds=3600)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    sandbox = Sandbox(sandbox_settings(), tmp_path / "sandbox", start=START)
    await sandbox.start()
    runner = web.AppRunner(create_app(sandbox), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as http:
        yield Site(sandbox, f"http://127.0.0.1:{port}", http)
    await runner.cleanup()
    await sandbox.stop()
