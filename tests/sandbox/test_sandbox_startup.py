"""Requests that come while the sandbox starts never kill it (issue 12, defect 5).

The page's port opens before the bot has migrated its database and bound the demo groups, so a
trainer who presses "Muat skenario" the moment the page first answers reaches a sandbox that is
still starting. That request must wait (or be refused politely); the process must live on.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp

from tests.sandbox.conftest import sandbox_settings
from web.sandbox import serve


def _free_port() -> int:
    """A port known before ``serve`` starts: the test must reach the page in the instant before
    the sandbox has started, and ``serve`` names a port-0 address only once it has."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _first_answer(http: aiohttp.ClientSession, url: str) -> None:
    """Poll until the page answers at all (as a browser reloading would)."""
    for _ in range(2000):
        try:
            async with http.get(url + "/") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.005)
    raise AssertionError("the page never answered")


async def test_a_scenario_loaded_the_moment_the_page_answers(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    serving = asyncio.create_task(
        serve(sandbox_settings(), host="127.0.0.1", port=port, data_dir=tmp_path / "sandbox")
    )
    try:
        async with aiohttp.ClientSession() as http:
            await _first_answer(http, url)
            async with http.post(url + "/api/scenarios/anonim", json={}) as response:
                body = await response.json()
                assert response.status in (200, 503), body
            assert not serving.done(), serving.exception() if serving.done() else None
            if response.status == 503:
                assert body["error"]  # a sentence for the trainer, not a stack trace
                for _ in range(600):
                    async with http.post(url + "/api/scenarios/anonim", json={}) as again:
                        if again.status == 200:
                            break
                    await asyncio.sleep(0.05)
            async with http.get(url + "/api/panes/desa/messages") as listed:
                messages = await listed.json()
            assert any("disembunyikan (anonim)" in str(m.get("text")) for m in messages)
            assert not serving.done()
    finally:
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)


async def test_the_console_button_pressed_the_moment_the_page_answers(tmp_path: Path) -> None:
    """The page's "Konsol" link (``GET /konsol``) pressed while the bot still starts waits for
    it, as the page's other requests do, and then signs the trainer in; it was answered with a
    bare ``{"error": "failed"}`` (500) because the bot was not running yet."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = sandbox_settings().model_copy(update={"console_port": 0})
    serving = asyncio.create_task(
        serve(settings, host="127.0.0.1", port=port, data_dir=tmp_path / "sandbox")
    )
    try:
        async with aiohttp.ClientSession() as http:
            await _first_answer(http, url)
            async with http.get(url + "/konsol", allow_redirects=False) as response:
                assert response.status in (303, 503), await response.text()
                if response.status == 303:
                    assert "/langsung/" in response.headers["Location"]
            assert not serving.done(), serving.exception() if serving.done() else None
    finally:
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)
