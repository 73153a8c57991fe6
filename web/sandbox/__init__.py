"""The training sandbox: the whole bot in a browser, with no Telegram account and no token.

``aduan sandbox`` (and ``aduan run`` without ``BOT_TOKEN``) starts, in one process, the loopback
Bot API emulator, the real bot against it (SQLite in the sandbox's data folder, the demo groups
bound) and a chat-app page on localhost that plays citizens and officers through the emulator.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aiohttp import web

from bot.settings import Settings
from web.sandbox.runtime import Sandbox
from web.sandbox.server import create_app

EXIT_PORT_BUSY = 1

__all__ = ["EXIT_PORT_BUSY", "Sandbox", "create_app", "serve"]


async def serve(settings: Settings, *, host: str, port: int, data_dir: Path) -> int:
    """Run the sandbox until Ctrl+C or SIGTERM; prints the page's address once it is ready.

    The page's port is taken first, so a port in use fails at once with a readable message
    instead of after the bot has started. Returns the exit status.
    """
    sandbox = Sandbox(settings, data_dir)
    runner = web.AppRunner(create_app(sandbox), access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            text = sandbox.t("sandbox.cli.port_busy", port=port, error=error.strerror or error)
            print(text, file=sys.stderr)
            return EXIT_PORT_BUSY
        port = int(runner.addresses[0][1])  # the one the system picked for port 0
        await sandbox.start()
        url = f"http://{'localhost' if host in ('127.0.0.1', 'localhost') else host}:{port}/"
        print(sandbox.t("sandbox.cli.ready", url=url, data_dir=data_dir), flush=True)
        await sandbox.wait()
        return 0
    finally:
        await runner.cleanup()
        await sandbox.stop()
