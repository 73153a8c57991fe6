"""Issue 27's export gap: the SP4N-LAPOR! sheet's "Lampiran" links a report's voice notes and
videos (core.clips) beside its photos, as the console serves them (``/laporan/N/rekaman/K``),
each named for what it is ("Rekaman suara: …", "Video: …": issue 28), one entry a line; in the
ZIP the photos are files beside the sheet and the clips stay links (a phone's video can carry
the place it was shot, and the ZIP's files must identify no one). Clips follow the photos'
rule: an anonymous report's are listed as its photos are, the reporter never named."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path
from typing import Any

from storage.models import ReportPhoto
from tests.images import jpeg_with_identity
from tests.integration.console_forms import post_form
from tests.integration.test_console import Filed, World, filed, store_report, world
from tests.integration.test_console_reporting import _by_header, _files, _sheet

__all__ = ["filed", "world"]  # the fixtures

VOICE = b"OggS\x00\x02" + b"\x00" * 64
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


async def with_media(world: World, filed: Filed, number: str | None = None) -> None:
    """The report (the done one unless ``number``): a photo (position 0), a voice note (1) and a
    video (2)."""
    number = number or filed.done
    folder: Path = world.config.media_dir / "clips" / number
    await asyncio.to_thread(folder.mkdir, parents=True)
    files = [
        (0, folder / "a.jpg", "image/jpeg", jpeg_with_identity()),
        (1, folder / "b.ogg", "audio/ogg", VOICE),
        (2, folder / "c.mp4", "video/mp4", VIDEO),
    ]
    async with world.db.sessions() as session:
        report = await store_report(session, number)
        for position, path, mime_type, content in files:
            await asyncio.to_thread(path.write_bytes, content)
            session.add(
                ReportPhoto(
                    report_id=report,
                    position=position,
                    file_id=f"c{position}-{number}",
                    file_unique_id=f"u{position}-{number}",
                    mime_type=mime_type,
                    stored_path=str(path),
                )
            )
        await session.commit()


def _rows(book: bytes) -> dict[str, dict[str, Any]]:
    return {r["Nomor Pelacakan Kanal Aduan"]: r for r in _by_header(_sheet(book))}


async def test_the_lapor_sheet_links_clips_beside_photos(world: World, filed: Filed) -> None:
    await with_media(world, filed)
    (book,) = await _files(world, "diskominfo", "lapor")
    base = world.config.public_url.rstrip("/")
    lampiran = str(_rows(book)[filed.done]["Lampiran"]).splitlines()
    assert lampiran == [
        f"{base}/laporan/{filed.done}/foto/0",
        f"Rekaman suara: {base}/laporan/{filed.done}/rekaman/1",
        f"Video: {base}/laporan/{filed.done}/rekaman/2",
    ]


async def test_an_anonymous_reports_clips_are_listed_as_its_photos_are(
    world: World, filed: Filed
) -> None:
    """The rule photos follow: an anonymous report's evidence is in the sheet (the files name
    nobody), its reporter is not; a report without clips lists none."""
    await with_media(world, filed, filed.anonymous)
    for viewer in ("diskominfo", "desa-64-08-09-2001"):
        (book,) = await _files(world, viewer, "lapor")
        rows = _rows(book)
        row = rows[filed.anonymous]
        base = world.config.public_url.rstrip("/")
        assert str(row["Lampiran"]).splitlines() == [
            f"{base}/laporan/{filed.anonymous}/foto/0",
            f"Rekaman suara: {base}/laporan/{filed.anonymous}/rekaman/1",
            f"Video: {base}/laporan/{filed.anonymous}/rekaman/2",
        ]
        assert row["Anonim"] == "Ya"
        assert not row["Nama Pelapor"]
        assert not row["Kontak Pelapor"]
        assert not rows[filed.done]["Lampiran"]


async def test_the_lapor_zip_names_the_photo_file_and_links_the_clips(
    world: World, filed: Filed
) -> None:
    await with_media(world, filed)
    client = await world.client("diskominfo")
    try:
        data = {"format": "lapor_zip", "dari": "2026-03-01", "sampai": "2026-03-31"}
        response = await post_form(client, "/ekspor", data)
        assert response.status == 200
        raw = await response.read()
    finally:
        await client.close()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = sorted(archive.namelist())
        book = archive.read("sp4n-lapor-2026-03-01-2026-03-31.xlsx")
    assert [n for n in names if not n.endswith(".xlsx")] == [f"foto/{filed.done}-1.jpg"]
    base = world.config.public_url.rstrip("/")
    assert str(_rows(book)[filed.done]["Lampiran"]).splitlines() == [
        f"foto/{filed.done}-1.jpg",
        f"Rekaman suara: {base}/laporan/{filed.done}/rekaman/1",
        f"Video: {base}/laporan/{filed.done}/rekaman/2",
    ]
