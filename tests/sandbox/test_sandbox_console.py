"""The sandbox's console as a trainer uses it: the page's Konsol button, the clock moved days
ahead, and ``/dasbor`` sent in the coordinator's group. The sandbox, its bot, the emulator and
the console run in this event loop on loopback ports; a browser is an aiohttp client with a
cookie jar."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from tests.sandbox.conftest import START, Site, sandbox_settings
from tests.sandbox.test_sandbox_api import say
from web.sandbox import Sandbox, create_app, start_sandbox_console
from web.sandbox.cast import RINA

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
LINK = re.compile(r"https?://[^\s\"<]+/masuk/[A-Za-z0-9_-]+")
COORDINATOR = f"{RINA.first_name} {RINA.last_name}"


@dataclass
class Trainer:
    """The sandbox's page and console, and a browser (one cookie jar) that opens both."""

    site: Site
    console_url: str

    async def page(self, url: str) -> tuple[int, str, str]:
        """GET ``url`` as the browser: (status, final address, text)."""
        async with self.site.http.get(url) as response:
            return response.status, str(response.url), await response.text()

    async def sign_in(self, url: str) -> tuple[int, str, str]:
        """Open a login link; where it shows the sign-in page, press its button, as a person."""
        status, address, text = await self.page(url)
        found = CSRF.search(text)
        if "/masuk/" not in address or found is None:
            return status, address, text
        async with self.site.http.post(address, data={"csrf": found.group(1)}) as response:
            return response.status, str(response.url), await response.text()


@pytest.fixture
async def trainer(tmp_path: Path) -> AsyncIterator[Trainer]:
    settings = sandbox_settings()
    sock = socket.create_server(("127.0.0.1", 0))
    console_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sandbox = Sandbox(settings, tmp_path / "sandbox", start=START, console_url=console_url)
    await sandbox.start()
    console = await start_sandbox_console(sandbox, settings, sock, console_url)
    assert console is not None
    runner = web.AppRunner(create_app(sandbox, console_url=console_url), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    # unsafe: the cookies of an address without a domain name (127.0.0.1) are kept too.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield Trainer(Site(sandbox, f"http://127.0.0.1:{port}", http), console_url)
    await runner.cleanup()
    await console.cleanup()
    await sandbox.stop()


async def test_konsol_opens_the_console_signed_in_as_the_demo_coordinator(
    trainer: Trainer,
) -> None:
    status, address, text = await trainer.page(trainer.site.url + "/konsol")
    assert status == 200, text
    assert address == trainer.console_url + "/?lang=id", address  # the console, no sign-in page
    assert f"{COORDINATOR} · Diskominfo" in text
    assert "Admin server" not in text
    assert '<html lang="id">' in text


async def test_konsol_opens_the_console_in_the_pages_language(trainer: Trainer) -> None:
    await trainer.site.post("/api/language", {"lang": "en"})
    status, address, text = await trainer.page(trainer.site.url + "/konsol")
    assert status == 200, text
    assert address.startswith(trainer.console_url + "/"), address
    assert '<html lang="en">' in text
    status, _, text = await trainer.page(trainer.console_url + "/laporan")
    assert '<html lang="en">' in text  # remembered for the next pages


async def test_the_console_stays_signed_in_while_the_sandbox_clock_moves(
    trainer: Trainer,
) -> None:
    status, _, text = await trainer.sign_in(trainer.site.url + "/konsol")
    assert status == 200, text
    for _ in range(3):  # three presses of "+1 hari kerja", then five working days at once
        await trainer.site.post("/api/clock/advance", {"days": 1})
    await trainer.site.post("/api/clock/advance", {"days": 5})
    status, address, text = await trainer.page(trainer.console_url + "/")
    assert status == 200, text
    assert address == trainer.console_url + "/"
    assert COORDINATOR in text


async def private_link(trainer: Trainer, pane: str, timeout: float = 10.0) -> str:
    """The newest login link in the pane's officer's private chat, read on the page's view of it
    (``/pribadi/PANE``); fails when none arrives."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status, _, text = await trainer.page(f"{trainer.site.url}/pribadi/{pane}")
        links = LINK.findall(text) if status == 200 else []
        if links:
            return str(links[-1])
        if loop.time() > deadline:
            raise TimeoutError(f"no login link in {pane}'s private chat: {status} {text[:300]}")
        await asyncio.sleep(0.05)


async def test_private_link_fails_when_no_link_came(trainer: Trainer) -> None:
    with pytest.raises(TimeoutError):
        await private_link(trainer, "koordinator", timeout=0.3)


async def test_dasbor_in_the_coordinators_group_gives_a_link_the_trainer_opens(
    trainer: Trainer,
) -> None:
    await trainer.site.post("/api/clock/advance", {"days": 2})  # the sandbox's clock moved on
    sent = trainer.site.sandbox.t("console.dasbor.sent")
    await say(trainer.site, "koordinator", "/dasbor", sent[:40])
    link = await private_link(trainer, "koordinator")
    assert link.startswith(trainer.console_url + "/masuk/")
    status, address, text = await trainer.sign_in(link)
    assert status == 200, text
    assert address == trainer.console_url + "/"
    assert f"{COORDINATOR} · Diskominfo" in text


async def test_the_sandboxs_console_draws_its_maps_without_tiles(trainer: Trainer) -> None:
    """A training room has no internet: whatever ``MAP_TILE_URL`` says (OpenStreetMap by
    default), the sandbox's console asks for no tiles and allows images from itself only."""
    assert trainer.site.sandbox.settings.map_tile_url.startswith("https://")
    status, _, _ = await trainer.sign_in(trainer.site.url + "/konsol")
    assert status == 200
    async with trainer.site.http.get(trainer.console_url + "/peta") as response:
        text = await response.text()
        policy = response.headers["Content-Security-Policy"]
    assert response.status == 200, text
    assert 'data-tiles=""' in text
    assert "no-tiles" in text
    assert "img-src 'self' data:;" in policy
