"""The ``aduan`` command: run the bot, migrate the database, manage units (``aduan units``),
serve the loopback emulator, start the training sandbox (``aduan sandbox``), or serve the
coordinator's console (``aduan console``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError

from cli import (
    apikey,
    audit,
    backup,
    console,
    media,
    notify,
    poster,
    units,
    webhook,
    whatsapp,
    words,
)
from locales import Catalogs, Translator
from runtime.clock import Clock, OffsetFileClock, system_clock
from runtime.logs import setup_logging
from runtime.settings import Settings

if TYPE_CHECKING:
    from runtime.monthly import MonthRender


def _parser(tr: Translator) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aduan", description=tr.t("cli.help.aduan"))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run",
        help=tr.t("cli.help.run"),
    )
    commands.add_parser("migrate", help=tr.t("cli.help.migrate"))
    emulator = commands.add_parser("emulator", help=tr.t("cli.help.emulator"))
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8081)
    sandbox = commands.add_parser("sandbox", help=tr.t("cli.help.sandbox"))
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, help=tr.t("cli.help.sandbox.port"))
    sandbox.add_argument("--data-dir", type=Path, help=tr.t("cli.help.sandbox.data_dir"))
    units.add_parser(commands, tr)
    apikey.add_parser(commands, tr)
    console.add_parser(commands, tr)
    webhook.add_parser(commands, tr)
    media.add_parser(commands, tr)
    backup.add_parser(commands, tr)
    audit.add_parser(commands, tr)
    notify.add_parser(commands, tr)
    poster.add_parser(commands, tr)
    whatsapp.add_parser(commands, tr)
    return parser


def _clock(settings: Settings) -> Clock:
    """The system clock; a test's moved clock only when TEST_CLOCK_OFFSET_FILE is set."""
    if settings.test_clock_offset_file is None:
        return system_clock
    logging.getLogger(__name__).warning("test clock: offset read from TEST_CLOCK_OFFSET_FILE")
    return OffsetFileClock(settings.test_clock_offset_file)


def fewer_malloc_arenas() -> bool:
    """Cap glibc's malloc arenas at two for this process, unless ``MALLOC_ARENA_MAX`` was set.

    glibc gives each thread that allocates an arena of its own (up to eight per core), and an
    arena keeps its high-water mark. Every SQLite connection is an aiosqlite thread, so a bot
    handling many chats at once held a dozen arenas. Two are enough: the threads mostly wait on
    SQLite, not on each other's allocations. True when the cap was set.
    """
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (musl has no arenas to cap)
        return False
    m_arena_max = -8  # <malloc.h>
    return bool(libc.mallopt(m_arena_max, 2))


def run(settings: Settings) -> int:
    if settings.bot_token is None:
        # The guide to a real token first, then the sandbox, so that one command shows the bot.
        texts = Catalogs(settings.default_language).get(settings.default_language)
        print(texts.t("cli.no_token"), file=sys.stderr)
        print("\n" + texts.t("sandbox.cli.no_token") + "\n", file=sys.stderr, flush=True)
        return sandbox(settings)
    tr = webhook.translator(settings)
    try:
        webhook.check_run_settings(settings, tr)
    except webhook.ConfigError as problem:
        print(problem, file=sys.stderr)
        return 2
    if refused := whatsapp.check(settings, tr):
        print(refused, file=sys.stderr)
        return 2
    setup_logging(settings.log_level)
    fewer_malloc_arenas()  # before the database's threads start
    from runtime.bootstrap import build_app

    async def _main() -> None:
        from runtime.leader import SharedSqliteError

        await _migrate_apart(settings)
        try:
            app = await build_app(settings, clock=_clock(settings), monthly=_monthly(settings))
        except SharedSqliteError as error:
            raise webhook.ConfigError(
                tr.t("scale.config.second_sqlite_process", pid=error.pid)
            ) from error
        except (OSError, OperationalError, InterfaceError) as error:
            # Migrating is the first thing that touches the database: an unreachable one ends here.
            url = webhook.masked_url(settings.database_url)
            reason = type(getattr(error, "orig", None) or error).__name__
            raise webhook.ConfigError(
                tr.t("scale.config.database_unreachable", url=url, error=reason)
            ) from error
        await app.run()

    try:
        asyncio.run(_main())
    except webhook.ConfigError as problem:
        print(problem, file=sys.stderr)
        return 2
    return 0


def _monthly(settings: Settings) -> MonthRender:
    """The monthly summary's page: the console's figures (web.console.summary_pdf)."""
    from web.console.summary_pdf import month_renderer
    from web.from_settings import console_config

    return month_renderer(console_config(settings))


async def _migrate_apart(settings: Settings) -> None:
    """Apply the migrations in a short-lived child process (``aduan migrate``).

    Alembic and the migration scripts, about 15 MB, then never load into the bot, which holds
    whatever it imported for as long as it runs; ``build_app`` finds the schema current and
    leaves Alembic alone. If the child fails, nothing is said here: ``build_app`` migrates in
    this process and reports the problem (an unreachable database) as it always did. A schema
    already current (every restart) starts no child: a second interpreter costs seconds.
    """
    from storage.db import at_head

    if await at_head(settings.database_url):
        return
    env = {**os.environ, "DATABASE_URL": settings.database_url, "LOG_LEVEL": settings.log_level}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli.main",
        "migrate",
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, log_lines = await child.communicate()
    if child.returncode == 0 and log_lines:
        sys.stderr.write(log_lines.decode(errors="replace"))  # the migrations' own log
        sys.stderr.flush()


def migrate(settings: Settings) -> int:
    setup_logging(settings.log_level)
    from storage.db import migrate as migrate_database

    asyncio.run(migrate_database(settings.database_url))
    return 0


def sandbox(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    data_dir: Path | None = None,
) -> int:
    setup_logging("WARNING")  # the page is the interface; the bot's routine log stays quiet
    from web.sandbox import serve

    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(
            serve(
                settings,
                host=host,
                port=settings.sandbox_port if port is None else port,
                data_dir=data_dir or settings.sandbox_data_dir,
            )
        )
    return 0


def emulator(host: str, port: int) -> int:
    setup_logging("INFO")
    from emulator import serve_forever

    # Ctrl+C is the way to stop it; no traceback for that.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(host, port))
    return 0


def settings_problems(error: ValidationError) -> str:
    """One line per refused setting, named as in ``.env`` (``RETENTION_MEDIA_MONTHS: ...``)."""
    lines = []
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]).upper()
        lines.append(f"  {name}: {str(problem['msg']).removeprefix('Value error, ')}")
    return "\n".join(lines)


def _help_language() -> Translator:
    """The language of ``--help`` and of argparse's own refusals: ``DEFAULT_LANGUAGE``
    (Indonesian when the settings cannot be read yet; they are checked after parsing)."""
    try:
        language = Settings().default_language
    except ValidationError:
        language = "id"
    return Catalogs(language).get(language)


def main(argv: Sequence[str] | None = None) -> int:
    language = _help_language()
    words.speak(language)
    args = _parser(language).parse_args(argv)
    if args.command == "emulator":
        return emulator(args.host, args.port)
    try:
        settings = Settings()
    except ValidationError as error:
        print(
            language.t("cli.settings.invalid", problems=settings_problems(error)), file=sys.stderr
        )
        return 2
    if args.command == "migrate":
        return migrate(settings)
    if args.command == "units":
        return units.run(args, settings)
    if args.command == "apikey":
        return apikey.run(args, settings)
    if args.command == "console":
        return console.run(args, settings)
    if args.command == "export":
        return console.run_export(args, settings)
    if args.command == "webhook":
        return webhook.run(args, settings)
    if args.command == "media":
        return media.run(args, settings)
    if args.command == "backup":
        return backup.run_backup(args, settings)
    if args.command == "restore":
        return backup.run_restore(args, settings)
    if args.command == "audit":
        return audit.run(args, settings)
    if args.command == "notify":
        return notify.run(args, settings)
    if args.command == "poster":
        return poster.run(args, settings)
    if args.command == "whatsapp":
        return whatsapp.run(args, settings)
    if args.command == "sandbox":
        return sandbox(settings, host=args.host, port=args.port, data_dir=args.data_dir)
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
