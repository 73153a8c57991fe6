"""``aduan media clean``: redraw, without metadata, the evidence files stored before the media
store cleaned everything it kept (see docs/security.md).

Each stored photo of every report is read; one that carries metadata (EXIF with a GPS position,
an owner's name, PNG text, a comment) is replaced, atomically, by its picture redrawn from the
pixels; one that does not decode is reported and left for the coordinator to judge. Files
already clean are left as they are, so running it again changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from sqlalchemy import select

from locales import Catalogs, Translator
from runtime.settings import Settings
from storage.db import create_engine, migrate, session_factory
from storage.media_store import carries_metadata, clean_image, write_atomically
from storage.models import ReportPhoto


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], tr: Translator
) -> None:
    media = commands.add_parser("media", help=tr.t("cli.help.media"))
    actions = media.add_subparsers(dest="media_command", required=True)
    actions.add_parser("clean", help=tr.t("cli.help.media.clean"))


def run(args: argparse.Namespace, settings: Settings) -> int:
    tr = Catalogs(settings.default_language).get(settings.default_language)
    paths = asyncio.run(_stored_paths(settings.database_url))
    root = settings.media_dir.resolve()
    cleaned = unreadable = 0
    for stored in paths:
        path = Path(stored).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            continue
        outcome = _clean_file(path)
        cleaned += outcome == "cleaned"
        unreadable += outcome == "unreadable"
    print(tr.t("cli.media.cleaned", checked=len(paths), cleaned=cleaned, unreadable=unreadable))
    return 0


def _clean_file(path: Path) -> str:
    content = path.read_bytes()
    if not carries_metadata(content):
        return "clean"
    redrawn = clean_image(content)
    if redrawn is None:
        return "unreadable"
    # The extension stays: the console serves by the bytes' type, not by the name.
    write_atomically(path, redrawn.content)
    return "cleaned"


async def _stored_paths(url: str) -> list[str]:
    await migrate(url)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            query = select(ReportPhoto.stored_path).where(ReportPhoto.stored_path.is_not(None))
            return [str(p) for p in await session.scalars(query)]
    finally:
        await engine.dispose()
