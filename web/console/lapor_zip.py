"""The SP4N-LAPOR! sheet with its photos, as one ZIP the receiver can open without the console:
``sp4n-lapor-….xlsx`` and ``foto/<tracking number>-<n>.jpg`` beside it, the sheet's "Lampiran"
naming those files. Every photo is redrawn without metadata as it goes in
(``storage.media_store.clean_image``: no EXIF, GPS, camera, comment or profile), whatever the
stored file holds, so nothing in a file identifies an anonymous reporter.

Size guard: the photos of a ZIP may add up to :data:`PHOTO_LIMIT` bytes; a selection with more
is refused (413) before anything is sent, with the way out (a shorter period, a filter, or the
sheet alone, whose links still open the photos in the console). The ZIP is written to a
temporary file, one photo at a time, and sent from there: memory stays small whatever the size.
"""

from __future__ import annotations

import asyncio
import zipfile
from collections.abc import AsyncIterator
from datetime import date
from typing import IO

from openpyxl import Workbook

from locales import Translator
from storage.console import ReportQuery
from storage.media_store import clean_image
from storage.models import Unit
from web.console.config import ConsoleConfig
from web.console.context import Refusal, SessionFactory
from web.console.handover import LAPOR_COLUMNS, Handed, handed_batches, lapor_values
from web.console.sheets import TableSheet, saved
from web.media import read_inside

#: The bytes of photos one ZIP may hold (after redrawing): about 2,000 phone photos.
PHOTO_LIMIT = 300 * 1024 * 1024
ZIP_FORMAT = "lapor_zip"
ZIP_TYPE = "application/zip"
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png"}
_CHUNK = 256 * 1024


def zip_name(first: date, last: date) -> str:
    return f"sp4n-lapor-{first.isoformat()}-{last.isoformat()}.zip"


def _clean_photo(config: ConsoleConfig, stored: str) -> tuple[bytes, str] | None:
    """The stored photo redrawn without metadata, and its extension; None when the file is
    gone, outside the media folder, or no picture. Blocking."""
    content = read_inside(config.media_dir, stored)
    cleaned = clean_image(content) if content else None
    if cleaned is None:
        return None
    return cleaned.content, _EXTENSIONS.get(cleaned.mime_type, ".jpg")


async def _attach(
    config: ConsoleConfig, archive: zipfile.ZipFile, item: Handed, used: list[int]
) -> list[str]:
    """Write the report's photos into the ZIP; their names in it. ``used[0]``: photo bytes so
    far, checked against :data:`PHOTO_LIMIT`."""
    names = []
    number = item.row.report.tracking_no
    for index, (_position, stored) in enumerate(item.photos, start=1):
        found = await asyncio.to_thread(_clean_photo, config, stored)
        if found is None:
            continue
        content, extension = found
        used[0] += len(content)
        if used[0] > PHOTO_LIMIT:
            raise Refusal(413, "console.error.zip_too_large", limit=PHOTO_LIMIT // (1024 * 1024))
        name = f"foto/{number}-{index}{extension}"
        # Pictures are compressed already: stored as they are.
        await asyncio.to_thread(archive.writestr, name, content, zipfile.ZIP_STORED)
        names.append(name)
    return names


async def lapor_zip(
    tr: Translator,
    config: ConsoleConfig,
    sessions: SessionFactory,
    query: ReportQuery,
    units: dict[int, Unit],
    period: tuple[date, date],
    out: IO[bytes],
) -> None:
    """Write the ZIP of the query's SP4N-LAPOR! sheet and photos into ``out`` (a temporary
    file) and rewind it. A selection whose photos pass :data:`PHOTO_LIMIT` is a 413."""
    book = Workbook(write_only=True)
    sheet = TableSheet(book, "SP4N-LAPOR", LAPOR_COLUMNS)
    used = [0]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        async for batch in handed_batches(sessions, query, units, config, tr, names=True):
            for item in batch:
                attached = await _attach(config, archive, item, used)
                sheet.append(lapor_values(config, item, attached))
        sheet.close()
        sheet_name = zip_name(*period).removesuffix(".zip") + ".xlsx"
        archive.writestr(sheet_name, saved(book))
    out.seek(0)


async def chunks(file: IO[bytes]) -> AsyncIterator[bytes]:
    """The file's bytes a piece at a time, read off the event loop."""
    while piece := await asyncio.to_thread(file.read, _CHUNK):
        yield piece
