"""The coordinator's console (``aduan console``): how every unit performs, every report, and
the files SP4N-LAPOR! and the Bupati need, served from the bot's own database.

It is a process of its own that needs no bot process: it reads the database (SQLite or
PostgreSQL) and imports only ``core``, ``storage`` and ``locales``; anything it causes to be sent
would go through outbox rows. Pages are rendered on the server (no script, nothing loaded from the
internet).

Sign-in has no password: an admin of a bound group sends ``/dasbor`` there and the bot sends them
a single-use link (10 minutes), or ``aduan console link UNIT`` prints one. The link opens a page
whose button spends it (a POST, so a chat app's link preview cannot) and sets a signed, HttpOnly
session cookie (12 hours; "Keluar" ends it). The coordinator's admins see every unit; a unit's
admins see their unit (a kecamatan's also its desa); anyone else gets a 403 page. Logins, report
views, exports and refusals are written to ``console_audit``.

Mounting more applications (the Open311 GeoReport v2 API, for one)::

    from web.console import ConsoleConfig, build_console_app

    app = build_console_app(config, sessions, extra_subapps=[("/open311/v2/", open311_app)])

Each ``(prefix, application)`` is mounted with ``app.add_subapp``. Sub-applications are served
without the console's sign-in (their paths are public; they do their own checks) and answer their
own errors (the console's HTML error pages are not put over them); they get the viewer's
:class:`~locales.Translator` at ``request[web.console.context.TRANSLATOR]`` (from ``?lang=`` or the
console's language cookie) and find the shared objects with
``request.config_dict[web.console.context.CONFIG]`` (the :class:`ConsoleConfig`) and
``request.config_dict[web.console.context.SESSIONS]`` (the session factory).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Sequence

from aiohttp import web

from web.console.app import build_console_app
from web.console.config import ConsoleConfig, derive_secret, login_link
from web.console.context import SessionFactory

EXIT_PORT_BUSY = 1

__all__ = [
    "EXIT_PORT_BUSY",
    "ConsoleConfig",
    "build_console_app",
    "derive_secret",
    "login_link",
    "start_console",
]


async def start_console(
    config: ConsoleConfig,
    sessions: SessionFactory,
    *,
    host: str,
    port: int,
    extra_subapps: Sequence[tuple[str, web.Application]] = (),
    sock: socket.socket | None = None,
) -> web.AppRunner | None:
    """Serve the console on ``host:port`` (or on ``sock``, a listening socket the caller bound,
    e.g. to port 0); None (with a message) when the port is taken.
    The caller keeps the runner and calls ``cleanup()`` to stop it."""
    runner = web.AppRunner(
        build_console_app(config, sessions, extra_subapps=extra_subapps), access_log=None
    )
    await runner.setup()
    try:
        site = web.SockSite(runner, sock) if sock is not None else web.TCPSite(runner, host, port)
        await site.start()
    except OSError as error:
        tr = config.catalogs.get(config.catalogs.default_language)
        print(
            tr.t("console.cli.port_busy", port=port, error=error.strerror or error), file=sys.stderr
        )
        await runner.cleanup()
        return None
    return runner
