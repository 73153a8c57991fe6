"""``aduan apikey create NAME | list | revoke NAME``: keys for filing reports through Open311.

A key is shown once, when it is created; only its SHA-256 and first characters are stored.
Every subcommand migrates the database first and prints from the catalogue (``open311.po``).
"""

from __future__ import annotations

import argparse
import asyncio
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from core.open311 import hash_api_key, key_prefix, new_api_key
from locales import Catalogs, Translator
from runtime.settings import Settings
from storage.db import create_engine, migrate, session_factory
from storage.open311 import Open311Repository
from storage.uow import UnitOfWork

EXIT_FAILED = 1
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], tr: Translator
) -> None:
    keys = commands.add_parser("apikey", help=tr.t("cli.help.apikey"))
    actions = keys.add_subparsers(dest="apikey_command", required=True)
    actions.add_parser("create", help=tr.t("cli.help.apikey.create")).add_argument("name")
    actions.add_parser("list", help=tr.t("cli.help.apikey.list"))
    actions.add_parser("revoke", help=tr.t("cli.help.apikey.revoke")).add_argument("name")


def run(args: argparse.Namespace, settings: Settings) -> int:
    tr = Catalogs(settings.default_language).get(settings.default_language)
    return asyncio.run(_run(args, settings, tr))


async def _run(args: argparse.Namespace, settings: Settings, tr: Translator) -> int:
    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        uow = UnitOfWork(session_factory(engine))
        now = datetime.now(UTC)
        if args.apikey_command == "create":
            return await _create(uow, tr, now, args.name)
        if args.apikey_command == "revoke":
            return await _revoke(uow, tr, now, args.name)
        return await _list(uow, tr, ZoneInfo(settings.timezone))
    finally:
        await engine.dispose()


async def _create(uow: UnitOfWork, tr: Translator, now: datetime, name: str) -> int:
    if not _NAME.fullmatch(name):
        print(tr.t("cli.apikey.bad_name"))
        return EXIT_FAILED
    key = new_api_key()
    async with uow:
        repo = Open311Repository(uow.session)
        if await repo.key_named(name) is not None:
            print(tr.t("cli.apikey.exists", name=name))
            return EXIT_FAILED
        await repo.add_key(name=name, key_hash=hash_api_key(key), prefix=key_prefix(key), now=now)
        await uow.commit()
    print(tr.t("cli.apikey.created", name=name, key=key))
    return 0


async def _revoke(uow: UnitOfWork, tr: Translator, now: datetime, name: str) -> int:
    async with uow:
        row = await Open311Repository(uow.session).key_named(name)
        if row is None or row.revoked_at is not None:
            print(tr.t("cli.apikey.unknown", name=name))
            return EXIT_FAILED
        row.revoked_at = now
        await uow.commit()
    print(tr.t("cli.apikey.revoked", name=name))
    return 0


async def _list(uow: UnitOfWork, tr: Translator, tz: ZoneInfo) -> int:
    async with uow:
        rows = await Open311Repository(uow.session).keys()
    if not rows:
        print(tr.t("cli.apikey.none"))
    for row in rows:
        state = (
            tr.t("cli.apikey.revoked_at", when=_when(row.revoked_at, tz, tr.language))
            if row.revoked_at
            else tr.t("cli.apikey.active")
        )
        created = _when(row.created_at, tz, tr.language)
        print(
            tr.t("cli.apikey.line", name=row.name, prefix=row.prefix, created=created, state=state)
        )
    return 0


def _when(moment: datetime, tz: ZoneInfo, language: str) -> str:
    return str(format_datetime(moment.astimezone(tz), format="d MMM yyyy HH.mm", locale=language))
