"""``aduan units``: seed, import and list the units, and issue group binding codes.

Every subcommand migrates the database first (so it works on a fresh install) and prints in the
default language from the catalogue (``locales/<lang>/LC_MESSAGES/cli.po``).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cli.officers import unit_officers
from core.categories import load_categories
from core.regions import RegionDirectory
from core.unit_files import KINDS, Problem, UnitFileError, normalise_area_code
from handlers.formatting import short_datetime
from locales import Catalogs, Translator
from runtime.settings import Settings
from storage.db import create_engine, migrate, session_factory
from storage.models import Unit
from storage.unit_registry import (
    UnitStatus,
    import_units,
    issue_binding_code,
    normalise_binding_code,
    seed_units,
    unit_overview,
)
from storage.uow import UnitOfWork

EXIT_FAILED = 1
_COLUMN_GAP = "  "


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], tr: Translator
) -> None:
    """Register ``units`` and its subcommands on the ``aduan`` parser."""
    units = commands.add_parser("units", help=tr.t("cli.help.units"))
    actions = units.add_subparsers(dest="units_command", required=True)
    actions.add_parser("seed", help=tr.t("cli.help.units.seed"))
    importing = actions.add_parser("import", help=tr.t("cli.help.units.import"))
    importing.add_argument("file", type=Path)
    listing = actions.add_parser("list", help=tr.t("cli.help.units.list"))
    listing.add_argument("--unbound", action="store_true", help=tr.t("cli.help.units.unbound"))
    listing.add_argument("--kind", choices=KINDS, help=tr.t("cli.help.units.kind"))
    code = actions.add_parser("code", help=tr.t("cli.help.units.code"))
    code.add_argument("unit_code")
    officers = actions.add_parser("officers", help=tr.t("cli.help.units.officers"))
    officers.add_argument("unit_code")
    officers.add_argument(
        "--add", metavar="TELEGRAM_USER_ID", help=tr.t("cli.help.units.officers.add")
    )
    officers.add_argument("--name", default="", help=tr.t("cli.help.units.officers.name"))
    officers.add_argument(
        "--remove", metavar="TELEGRAM_USER_ID", help=tr.t("cli.help.units.officers.remove")
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one ``aduan units`` subcommand; returns the exit status."""
    translator = Catalogs(settings.default_language).get(settings.default_language)
    return asyncio.run(_run(args, settings, translator))


async def _run(args: argparse.Namespace, settings: Settings, tr: Translator) -> int:
    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        uow = UnitOfWork(session_factory(engine))
        now = datetime.now(UTC)
        command: str = args.units_command
        if command == "seed":
            return await _seed(uow, settings, tr, now)
        if command == "import":
            return await _import(uow, settings, tr, now, args.file)
        if command == "list":
            return await _list(uow, tr, unbound=args.unbound, kind=args.kind)
        if command == "officers":
            found = await _find_unit_in(uow, args.unit_code)
            if found is None:
                print(tr.t("cli.units.unknown_unit", code=args.unit_code))
                return EXIT_FAILED
            return await unit_officers(uow, tr, found, args.add, args.remove, args.name, now)
        return await _code(uow, settings, tr, now, args.unit_code)
    finally:
        await engine.dispose()


async def _seed(uow: UnitOfWork, settings: Settings, tr: Translator, now: datetime) -> int:
    regions = RegionDirectory(settings.region_code)
    categories = load_categories(settings.categories_file)
    async with uow:
        result = await seed_units(uow, regions, now, categories=categories)
        await uow.commit()
    print(
        tr.t(
            "cli.units.seeded",
            region=regions.root.name,
            created=result.total_created,
            coordinator=result.created["coordinator"],
            opd=result.created["opd"],
            kecamatan=result.created["kecamatan"],
            desa=result.created["desa"],
            existing=result.existing,
        )
    )
    return 0


async def _import(
    uow: UnitOfWork, settings: Settings, tr: Translator, now: datetime, path: Path
) -> int:
    try:
        from cli.unit_files import parse_unit_file  # YAML and CSV readers: only this command

        rows = parse_unit_file(path)
        async with uow:
            result = await import_units(
                uow, rows, now, regions=RegionDirectory(settings.region_code)
            )
            await uow.commit()
    except UnitFileError as error:
        print(tr.t("cli.units.import_failed", file=str(path)))
        for problem in error.problems:
            print(_problem_line(tr, problem))
        return EXIT_FAILED
    print(
        tr.t(
            "cli.units.imported",
            added=len(result.added),
            updated=len(result.updated),
            unchanged=len(result.unchanged),
        )
    )
    return 0


def _problem_line(tr: Translator, problem: Problem) -> str:
    text = tr.t(f"cli.units.problem.{problem.key}", **problem.values)
    if problem.entry is not None:
        return tr.t(
            "cli.units.problem_at_entry", entry=problem.entry, line=problem.line, problem=text
        )
    if problem.line:
        return tr.t("cli.units.problem_at_line", line=problem.line, problem=text)
    return tr.t("cli.units.problem_in_file", problem=text)


async def _list(uow: UnitOfWork, tr: Translator, *, unbound: bool, kind: str | None) -> int:
    async with uow:
        statuses = await unit_overview(uow)
    if not statuses:
        print(tr.t("cli.units.none_yet"))
        return 0
    if kind is not None:
        statuses = [status for status in statuses if status.kind == kind]
    bound = sum(1 for status in statuses if status.chat_count)
    total = len(statuses)
    if unbound:
        statuses = [status for status in statuses if not status.chat_count]
    if statuses:
        for line in _table(tr, statuses):
            print(line.rstrip())
    else:
        print(tr.t("cli.units.none_match"))
    print(tr.t("cli.units.summary", bound=bound, total=total))
    return 0


def _table(tr: Translator, statuses: Sequence[UnitStatus]) -> list[str]:
    header = [
        tr.t("cli.units.column.code"),
        tr.t("cli.units.column.kind"),
        tr.t("cli.units.column.name"),
        tr.t("cli.units.column.parent"),
        tr.t("cli.units.column.group"),
    ]
    rows = [header]
    for status in statuses:
        unit = status.unit
        name = unit.name if unit.active else tr.t("cli.units.inactive", name=unit.name)
        if status.chat_titles:
            groups = tr.t(
                "cli.units.groups",
                count=status.chat_count,
                titles=", ".join(status.chat_titles),
            )
        else:
            groups = tr.t("cli.units.no_group")
        kind = tr.t(f"cli.units.kind.{unit.kind}") if unit.kind in KINDS else unit.kind
        rows.append([unit.code, kind, name, status.parent_code or "-", groups])
    widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
    return [
        _COLUMN_GAP.join(
            [*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]
        )
        for row in rows
    ]


async def _find_unit_in(uow: UnitOfWork, text: str) -> Unit | None:
    async with uow:
        return await _find_unit(uow, text)


async def _find_unit(uow: UnitOfWork, text: str) -> Unit | None:
    """By unit code, or by the Kemendagri code of an area unit (``64.08.01.2001``)."""
    wanted = text.strip()
    unit = await uow.units.by_code(wanted.lower())
    if unit is None:
        unit = await uow.units.by_area(normalise_area_code(wanted))
    return unit


async def _code(
    uow: UnitOfWork, settings: Settings, tr: Translator, now: datetime, unit_code: str
) -> int:
    async with uow:
        unit = await _find_unit(uow, unit_code)
        if unit is None:
            print(tr.t("cli.units.unknown_unit", code=unit_code))
            return EXIT_FAILED
        if not unit.active:
            print(tr.t("cli.units.unit_inactive", code=unit.code, name=unit.name))
            return EXIT_FAILED
        code = await issue_binding_code(uow, unit.id, now=now)
        binding = await uow.units.binding_code(normalise_binding_code(code))
        await uow.commit()
    expires = binding.expires_at if binding is not None else now
    zone = ZoneInfo(settings.timezone)
    print(
        tr.t(
            "cli.units.code_issued",
            unit=unit.name,
            unit_code=unit.code,
            code=code,
            expires=short_datetime(expires, zone, settings.default_language),
        )
    )
    return 0
