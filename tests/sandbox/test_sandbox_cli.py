"""``aduan run`` without a token: the guide to a real token, then the sandbox on one URL."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from web.sandbox import EXIT_PORT_BUSY

ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"(http://localhost:\d+/)")


async def read_url(stream: asyncio.StreamReader, timeout: float) -> str:
    async with asyncio.timeout(timeout):
        while line := (await stream.readline()).decode():
            if found := READY.search(line):
                return found.group(1)
    raise AssertionError("the sandbox ended without printing its URL")


@pytest.mark.slow
async def test_run_without_a_token_prints_the_guide_and_serves_the_sandbox(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    # Port 0: the system picks a free port and the sandbox prints the one it got.
    env.update(PYTHONPATH=str(ROOT), SANDBOX_PORT="0", SANDBOX_DATA_DIR="latihan")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli.main",
        "run",
        cwd=tmp_path,  # no .env there
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        url = await read_url(process.stdout, timeout=60)
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        assert url == f"http://localhost:{port}/"
        assert port > 0
        async with aiohttp.ClientSession() as http, http.get(url + "api/state") as response:
            assert response.status == 200
            state = await response.json()
        assert len(state["panes"]) == 6
        assert (tmp_path / "latihan" / "sandbox.db").exists()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=20) == 0
        assert process.stderr is not None
        guide = (await process.stderr.read()).decode()
        assert "@BotFather" in guide
        assert "sandbox" in guide
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.mark.slow
async def test_a_port_in_use_is_said_at_once(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "cli.main", "sandbox", "--port", str(port)),
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == EXIT_PORT_BUSY
    assert f"Port {port} sudah dipakai" in err.decode()
    assert b"http://" not in out
    assert not (tmp_path / "data").exists()  # nothing started, nothing written


@pytest.mark.slow
async def test_the_sandboxs_console_serves_open311_on_the_sandboxs_reports(tmp_path: Path) -> None:
    """Trainers who show the Open311 API see it on the sandbox's own reports, as in production."""
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env.update(PYTHONPATH=str(ROOT), SANDBOX_PORT="0", CONSOLE_PORT="0")
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "cli.main", "sandbox"),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        page = await read_url(process.stdout, timeout=60)
        console = await read_url(process.stdout, timeout=30)
        assert console != page
        async with aiohttp.ClientSession() as http:
            async with http.get(console + "open311/v2/services.json") as response:
                assert response.status == 200
                services = await response.json()
            assert {"service_code", "service_name"} <= set(services[0])
            async with http.get(console + "open311/v2/requests.json") as response:
                assert response.status == 200
                assert await response.json() == []
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
