"""``aduan poster (--desa CODE | --kecamatan CODE) -o FILE [--format pdf|png]``: posters to print.

``--desa``: that desa's poster; ``--kecamatan``: every desa of the kecamatan, one page each, in one
PDF (with ``--kecamatan-poster`` the kecamatan's own poster instead, which asks the citizen for
the desa). PNG is one poster, so it takes ``--desa`` or ``--kecamatan-poster``. The link needs
``BOT_USERNAME``; with WhatsApp on and ``WHATSAPP_PHONE_NUMBER`` set, each poster carries a second
code, a WhatsApp chat. The file is written beside FILE and renamed into place once complete.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.posters import poster_whatsapp
from core.regions import RegionDirectory
from locales import Catalogs, Translator
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.media_store import write_atomically
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from web.posters.facts import Poster


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], tr: Translator
) -> None:
    poster = commands.add_parser("poster", help=tr.t("poster.cli.help"))
    where = poster.add_mutually_exclusive_group(required=True)
    where.add_argument("--desa", default="", help=tr.t("poster.cli.help.desa"))
    where.add_argument("--kecamatan", default="", help=tr.t("poster.cli.help.kecamatan"))
    poster.add_argument(
        "--kecamatan-poster", action="store_true", help=tr.t("poster.cli.help.kecamatan_poster")
    )
    poster.add_argument("-o", "--output", type=Path, required=True, help=tr.t("poster.cli.help.o"))
    poster.add_argument(
        "--format", choices=("pdf", "png"), default="pdf", help=tr.t("poster.cli.help.format")
    )


async def _posters(settings: Settings, tr: Translator, codes: list[str]) -> list[Poster]:
    from web.posters.facts import posters_for

    engine = create_engine(settings.database_url)
    regions = RegionDirectory(settings.region_code)
    whatsapp = poster_whatsapp(settings.whatsapp_phone_number_id, settings.whatsapp_phone_number)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            return await posters_for(
                uow, regions, tr, codes, bot_username=settings.bot_username, whatsapp=whatsapp
            )
    finally:
        await engine.dispose()


def run(args: argparse.Namespace, settings: Settings) -> int:
    # Here, not at the top: `aduan run` never loads the posters' PDF and QR libraries.
    from web.posters import render
    from web.posters.facts import UnknownPlaceError, places_of

    tr = Catalogs(settings.default_language).get(settings.default_language)
    if not settings.bot_username:
        print(tr.t("poster.cli.no_username"), file=sys.stderr)
        return 2
    regions = RegionDirectory(settings.region_code)
    try:
        if args.kecamatan and args.kecamatan_poster:
            places_of(regions, kecamatan=args.kecamatan)  # checks the code
            codes = [args.kecamatan]
        else:
            codes = places_of(regions, desa=args.desa, kecamatan=args.kecamatan)
    except UnknownPlaceError:
        print(tr.t("poster.cli.unknown_place", code=args.desa or args.kecamatan), file=sys.stderr)
        return 2
    if args.format == "png" and len(codes) != 1:
        print(tr.t("poster.cli.png_one"), file=sys.stderr)
        return 2
    posters = asyncio.run(_posters(settings, tr, codes))
    paper = render.pdf(tr, posters) if args.format == "pdf" else render.png(tr, posters[0])
    try:
        write_atomically(args.output, paper)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        print(tr.t("cli.backup.not_writable", path=args.output, reason=reason), file=sys.stderr)
        return 2
    print(tr.t("poster.cli.written", count=len(posters), path=args.output), file=sys.stderr)
    return 0
