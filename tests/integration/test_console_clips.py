"""A report's voice notes and videos on its console page (issue 28): listed apart from the
photos as ``<audio>``/``<video>`` elements, served by ``/laporan/N/rekaman/K`` only to a viewer
who may see the report (another unit gets 403), with the type the bytes have; a clip is never
served as a photo, nor a photo as a clip, and the page's policy allows media from the console
alone (``media-src 'self'``)."""

from __future__ import annotations

from pathlib import Path

from storage.models import ReportPhoto
from tests.integration.test_console import Filed, World, filed, store_report, world

__all__ = ["filed", "world"]  # the fixtures

VOICE = b"OggS\x00\x02" + b"\x00" * 64
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


async def test_clips_are_played_on_the_report_page_only_for_those_who_may_see_it(
    world: World, filed: Filed, tmp_path: Path
) -> None:
    folder = world.config.media_dir / "1"
    folder.mkdir(parents=True)
    voice, video, renamed = folder / "1-uv.ogg", folder / "2-uw.mp4", folder / "3-ux.ogg"
    voice.write_bytes(VOICE)
    video.write_bytes(VIDEO)
    renamed.write_bytes(b"<html><script>alert(1)</script></html>")
    rows = [(1, voice, "audio/ogg"), (2, video, "video/mp4"), (3, renamed, "audio/ogg")]
    async with world.db.sessions() as session:
        report = await store_report(session, filed.done)
        session.add_all(
            [
                ReportPhoto(
                    report_id=report,
                    position=position,
                    file_id=f"c{position}",
                    file_unique_id=f"u{position}",
                    mime_type=mime_type,
                    stored_path=str(path),
                )
                for position, path, mime_type in rows
            ]
        )
        await session.commit()
    desa = await world.client("desa-64-08-09-2001")
    pupr = await world.client("dinas-pupr")
    try:
        shown = await desa.get(f"/laporan/{filed.done}")
        page = await shown.text()
        assert "media-src 'self'" in shown.headers["Content-Security-Policy"]
        assert "Rekaman suara dan video" in page
        assert f'<audio controls preload="none" src="/laporan/{filed.done}/rekaman/1">' in page
        assert f'src="/laporan/{filed.done}/rekaman/2"></video>' in page
        assert f"/laporan/{filed.done}/foto/1" not in page  # a clip is no photo

        served = await desa.get(f"/laporan/{filed.done}/rekaman/1")
        assert served.status == 200
        assert served.headers["Content-Type"] == "audio/ogg"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert await served.read() == VOICE
        movie = await desa.get(f"/laporan/{filed.done}/rekaman/2")
        assert movie.headers["Content-Type"] == "video/mp4"
        # Bytes that are not what the type says, a photo's route, another unit: refused.
        assert (await desa.get(f"/laporan/{filed.done}/rekaman/3")).status == 404
        assert (await desa.get(f"/laporan/{filed.done}/foto/1")).status == 404
        assert (await pupr.get(f"/laporan/{filed.done}/rekaman/1")).status == 403
    finally:
        await desa.close()
        await pupr.close()
