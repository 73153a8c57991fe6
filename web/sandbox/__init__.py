"""The training sandbox: the whole bot in a browser, with no Telegram account and no token.

``aduan sandbox`` (and ``aduan run`` without ``BOT_TOKEN``) starts, in one process, the loopback
Bot API emulator, the real bot against it (SQLite in the sandbox's data folder, the demo groups
bound) and a chat-app page on localhost that plays citizens and officers through the emulator.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.settings import Settings
from web.sandbox.runtime import Sandbox
from web.sandbox.server import create_app

DEFAULT_PORT = 8080
DEFAULT_DATA_DIR = Path("data/sandbox")

__all__ = ["DEFAULT_DATA_DIR", "DEFAULT_PORT", "Sandbox", "create_app", "serve"]


async def serve(settings: Settings, *, host: str, port: int, data_dir: Path) -> None:
    """Run the sandbox until Ctrl+C or SIGTERM; prints the page's address once it is ready."""
    sandbox = Sandbox(settings, data_dir)
    await sandbox.start()
    runner = web.AppRunner(create_app(sandbox), access_log=None)
    try:
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        port = int(runner.addresses[0][1])  # the one the system picked for port 0
        url = f"http://{'localhost' if host in ('127.0.0.1', 'localhost') else host}:{port}/"
        print(sandbox.t("sandbox.cli.ready", url=url, data_dir=data_dir), flush=True)
        await sandbox.wait()
    finally:
        await runner.cleanup()
        await sandbox.stop()
