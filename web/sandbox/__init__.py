"""The training sandbox: the whole bot in a browser, with no Telegram account and no token.

``aduan sandbox`` (and ``aduan run`` without ``BOT_TOKEN``) starts, in one process, the loopback
Bot API emulator, the real bot against it (SQLite in the sandbox's data folder, the demo groups
bound) and a chat-app page on localhost that plays citizens and officers through the emulator.
The coordinator's console runs beside it on ``CONSOLE_PORT`` over the sandbox's database and
clock; the page's "Konsol" link opens it signed in as the coordinator's demo officer (Rina), and
its sign-in runs on real time, so moving the sandbox's clock signs nobody out.
"""

from __future__ import annotations

import socket
import sys
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from runtime.settings import Settings
from web.sandbox.runtime import Sandbox
from web.sandbox.server import create_app

EXIT_PORT_BUSY = 1

__all__ = ["EXIT_PORT_BUSY", "Sandbox", "create_app", "serve", "start_sandbox_console"]


async def serve(settings: Settings, *, host: str, port: int, data_dir: Path) -> int:
    """Run the sandbox until Ctrl+C or SIGTERM; prints the page's address once it is ready.

    The page's port is taken first, so a port in use fails at once with a readable message
    instead of after the bot has started. Returns the exit status.
    """
    sandbox = Sandbox(settings, data_dir)
    shown_host = "localhost" if host in ("127.0.0.1", "localhost") else host
    console_socket = _console_socket(sandbox, host, settings.console_port)
    console_port = console_socket.getsockname()[1] if console_socket else settings.console_port
    console_url = f"http://{shown_host}:{console_port}" if console_socket else ""
    sandbox.console_url = console_url
    runner = web.AppRunner(create_app(sandbox, console_url=console_url), access_log=None)
    console: web.AppRunner | None = None
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
        if console_socket is not None:
            console = await start_sandbox_console(sandbox, settings, console_socket, console_url)
        url = f"http://{shown_host}:{port}/"
        print(sandbox.t("sandbox.cli.ready", url=url, data_dir=data_dir), flush=True)
        if console is not None:  # after the page's address, which is the one to open first
            print(sandbox.t("sandbox.cli.console", url=f"{console_url}/"), flush=True)
        await sandbox.wait()
        return 0
    finally:
        if console is not None:
            await console.cleanup()
        await runner.cleanup()
        await sandbox.stop()


def _console_socket(sandbox: Sandbox, host: str, port: int) -> socket.socket | None:
    """The console's listening socket, bound before anything starts so that its address (port 0:
    the one the system picks) is known to the page's link; a taken port is said, and the sandbox
    runs without the console."""
    try:
        sock = socket.create_server((host, port))
    except OSError as error:
        text = sandbox.t("sandbox.cli.console_port_busy", port=port, error=error.strerror or error)
        print(text, file=sys.stderr)
        return None
    return sock


async def start_sandbox_console(
    sandbox: Sandbox, settings: Settings, sock: socket.socket, url: str
) -> web.AppRunner | None:
    """The console over the sandbox's database (whichever the last reset made) and clock; a
    taken port is said and the sandbox runs without it."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from web.console import start_console
    from web.from_settings import console_config, open311_subapp

    # The pages read the sandbox's clock; sign-in runs on real time, so that moving the clock
    # does not sign the trainer out, and the Konsol button's link signs in on opening.
    config = replace(
        console_config(settings, sandbox.catalogs),
        public_url=url,
        clock=sandbox.clock,
        sign_in_clock=sandbox.clock.wall,
        direct_sign_in=True,
        # A training room has no internet: the map draws its points on a plain background.
        map_tiles="",
        map_attribution="",
    )

    def sessions() -> AsyncSession:
        return AsyncSession(sandbox.app.engine, expire_on_commit=False)

    # Open311 as in production, on the sandbox's reports and clock, signing buttons with the
    # sandbox bot's token.
    open311 = open311_subapp(sandbox.settings, sessions, sandbox.catalogs, sandbox.clock)
    host, port = sock.getsockname()[:2]
    return await start_console(
        config, sessions, host=host, port=port, sock=sock, extra_subapps=[open311]
    )
