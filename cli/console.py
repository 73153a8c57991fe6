"""``aduan console``: serve the coordinator's console; ``aduan console link UNIT`` prints a
single-use login link for a unit's console (the first login, or a server admin's);
``aduan export`` writes the console's exports from the command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from locales import Catalogs, Translator
from runtime.clock import system_clock
from runtime.deps import handler_deps, seed_if_empty
from runtime.settings import Settings
from storage.db import create_engine, migrate, session_factory
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    # The console, its exports (openpyxl) and aiohttp load only for these commands, not for
    # ``aduan run``, which imports this module for its parser (issue 13: the bot's memory).
    from sqlalchemy.ext.asyncio import AsyncEngine


#: The ``--format`` choices: ``web.console.exports.FORMATS`` (a test keeps them equal), named
#: here so that the parser does not import the console.
EXPORT_FORMATS = ("csv", "csv_koma", "xlsx", "lengkap", "lapor", "rekap")

EXIT_FAILED = 1


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], tr: Translator
) -> None:
    console = commands.add_parser("console", help=tr.t("cli.help.console"))
    console.add_argument("--host", help=tr.t("cli.help.console.host"))
    console.add_argument("--port", type=int, help=tr.t("cli.help.console.port"))
    actions = console.add_subparsers(dest="console_command")
    link = actions.add_parser("link", help=tr.t("cli.help.console.link"))
    link.add_argument("unit_code")
    link.add_argument("--name", default="", help=tr.t("cli.help.console.name"))
    link.add_argument("--create", action="store_true", help=tr.t("cli.help.console.create"))
    export = commands.add_parser("export", help=tr.t("cli.help.export"))
    export.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    export.add_argument("--from", dest="first", help=tr.t("cli.help.export.from"))
    export.add_argument("--to", dest="last", help=tr.t("cli.help.export.to"))
    export.add_argument("--unit", help=tr.t("cli.help.export.unit"))
    export.add_argument(
        "-o", "--output", type=Path, required=True, help=tr.t("cli.help.export.output")
    )


async def _prepare(settings: Settings, catalogs: Catalogs) -> AsyncEngine:
    """The bot's database, migrated and, on a fresh install, seeded with the region's units as
    ``aduan run`` would (so that ``aduan console link diskominfo`` works before the bot ran)."""
    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    if settings.seed_units_on_start:
        sessions = session_factory(engine)
        token = settings.bot_token.get_secret_value() if settings.bot_token else ""
        deps = handler_deps(settings, token, catalogs, system_clock)
        await seed_if_empty(lambda: UnitOfWork(sessions), deps)
    return engine


def database_label(url: str) -> str:
    """The database's URL as said to the operator, any password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "?"


def missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file ``url`` names, when it does not exist (None for any other database)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(str(parsed.database))
    return None if path.exists() else path


async def _holds_reports(engine: AsyncEngine) -> bool:
    from storage.models import Report

    async with session_factory(engine)() as session:
        return await session.scalar(select(Report.id).limit(1)) is not None


def say_database(settings: Settings, tr: Translator) -> Path | None:
    """Print which database the console reads; returns its SQLite file if that is missing."""
    print(tr.t("console.cli.database", url=database_label(settings.database_url)), flush=True)
    return missing_sqlite_file(settings.database_url)


def link_holder(name: str) -> str:
    """Who a printed link is for, as the audit will name them: ``--name``, else the server
    account that ran the command (a person is always named, never "Admin server")."""
    if name.strip():
        return name.strip()[:200]
    try:
        account = getpass.getuser()
    except (KeyError, OSError):
        account = "?"
    return f"{account} (server)"


async def print_link(
    settings: Settings, unit_code: str, name: str = "", *, create: bool = False
) -> int:
    """Print a login link; over a SQLite file that does not exist, only with ``create`` (a
    mistyped ``DATABASE_URL`` or the wrong folder would otherwise get a new, empty database)."""
    from storage.console import issue_login
    from storage.models import Unit
    from web.console import login_link

    catalogs = Catalogs(settings.default_language)
    tr = catalogs.get(settings.default_language)
    missing = say_database(settings, tr)
    if missing is not None and not create:
        print(tr.t("console.cli.link_no_database", path=missing), file=sys.stderr)
        return EXIT_FAILED
    engine = await _prepare(settings, catalogs)
    try:
        async with session_factory(engine)() as session:
            unit = await session.scalar(select(Unit).where(Unit.code == unit_code.lower()))
            if unit is None:
                print(tr.t("console.cli.unknown_unit", code=unit_code), file=sys.stderr)
                return EXIT_FAILED
            token = await issue_login(
                session, unit.id, now=datetime.now(UTC), user_name=link_holder(name)
            )
            await session.commit()
    finally:
        await engine.dispose()
    print(tr.t("console.cli.link", unit=unit.name, link=login_link(settings.console_url(), token)))
    return 0


async def serve(settings: Settings, *, host: str, port: int) -> int:
    from web.console import start_console
    from web.from_settings import console_config, open311_subapp

    config = console_config(settings)
    if not settings.console_public_url:  # the links it writes name the address it listens on
        config = replace(config, public_url=f"http://{host}:{port}")
    tr = config.catalogs.get(config.catalogs.default_language)
    missing = say_database(settings, tr)
    if missing is not None:  # served all the same (a fresh install), and said so
        print(tr.t("console.cli.no_database_file", path=missing), flush=True)
    engine = await _prepare(settings, config.catalogs)
    try:
        if missing is not None or not await _holds_reports(engine):
            if missing is None:
                print(tr.t("console.cli.no_reports"), flush=True)
            hint = tr.t("console.cli.sandbox_hint", folder=f"{settings.sandbox_data_dir}/")
            print(hint, flush=True)
        sessions = session_factory(engine)
        open311 = open311_subapp(settings, sessions, config.catalogs)
        runner = await start_console(
            config, sessions, host=host, port=port, extra_subapps=[open311]
        )
        if runner is None:
            return EXIT_FAILED
        print(tr.t("console.cli.ready", url=f"http://{host}:{port}/"), flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
    finally:
        await engine.dispose()
    return 0


def _day(text: str | None, default: date, tr: Translator) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ExportError(tr.t("console.cli.bad_date", value=text)) from None


class ExportError(Exception):
    """A problem with the command's arguments, said to the user as it is."""


async def export(settings: Settings, args: argparse.Namespace) -> int:
    from storage.console import ReportQuery, all_units, audit
    from web.console.auth import visible_units
    from web.console.exports import CSV_SEPARATORS, csv_chunks, row_batches, xlsx_export
    from web.from_settings import console_config

    config = console_config(settings)
    tr = config.catalogs.get(config.catalogs.default_language)
    today = config.clock().astimezone(config.timezone).date()
    try:
        first = _day(args.first, today.replace(day=1), tr)
        last = _day(args.last, today, tr)
        if last < first:
            raise ExportError(tr.t("console.error.bad_range"))
    except ExportError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            units = {u.id: u for u in await all_units(session)}
            query = ReportQuery(
                first_day=first,
                last_day=last,
            )
            if args.unit:
                unit = next((u for u in units.values() if u.code == args.unit.lower()), None)
                if unit is None:
                    print(tr.t("console.cli.unknown_unit", code=args.unit), file=sys.stderr)
                    return EXIT_FAILED
                query = replace(query, visible=await visible_units(session, unit))
            audit(
                session,
                now=config.clock(),
                action="export",
                subject=f"{args.format} cli {first}..{last} {args.unit or ''}".strip(),
                user_name="aduan export",
            )
            await session.commit()
        if args.format in CSV_SEPARATORS:
            with args.output.open("wb") as out:
                batches = row_batches(sessions, query, units, config, tr)
                async for chunk in csv_chunks(tr, batches, CSV_SEPARATORS[args.format]):
                    out.write(chunk)
        else:
            data = await xlsx_export(args.format, tr, config, sessions, query, units, first, last)
            args.output.write_bytes(data)
    finally:
        await engine.dispose()
    print(tr.t("console.cli.exported", path=args.output), flush=True)
    return 0


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(export(settings, args))


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.console_command == "link":
        return asyncio.run(print_link(settings, args.unit_code, args.name, create=args.create))
    host = args.host or settings.console_host
    port = settings.console_port if args.port is None else args.port
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(settings, host=host, port=port))
    return 0
