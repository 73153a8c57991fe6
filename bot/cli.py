"""The ``aduan`` command: run the bot, migrate the database, manage units (``aduan units``), or
serve the loopback emulator."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence

from bot import units_cli
from bot.logs import setup_logging
from bot.settings import Settings
from locales import Catalogs

EXIT_NO_TOKEN = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aduan", description="Kanal Aduan")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (long polling)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    emulator = commands.add_parser("emulator", help="serve the loopback Bot API emulator")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8081)
    units_cli.add_parser(commands)
    return parser


def run(settings: Settings) -> int:
    if settings.bot_token is None:
        text = Catalogs(settings.default_language).get(settings.default_language).t("cli.no_token")
        print(text, file=sys.stderr)
        return EXIT_NO_TOKEN
    setup_logging(settings.log_level)
    from bot.bootstrap import build_app

    async def _main() -> None:
        app = await build_app(settings)
        await app.run()

    asyncio.run(_main())
    return 0


def migrate(settings: Settings) -> int:
    setup_logging(settings.log_level)
    from storage.db import migrate as migrate_database

    asyncio.run(migrate_database(settings.database_url))
    return 0


def emulator(host: str, port: int) -> int:
    setup_logging("INFO")
    from bot.emulator import serve_forever

    # Ctrl+C is the way to stop it; no traceback for that.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(host, port))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "emulator":
        return emulator(args.host, args.port)
    settings = Settings()
    if args.command == "migrate":
        return migrate(settings)
    if args.command == "units":
        return units_cli.run(args, settings)
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
