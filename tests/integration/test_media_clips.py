"""The media worker keeps a voice note or video as it came, once its bytes are what its type
says (OGG, MP4): a program sent as a voice note is never stored as evidence."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from runtime.clock import ManualClock
from runtime.media import MediaWorker
from storage.models import ReportPhoto
from tests.integration.test_runtime import Database, FilesChannel, clock, db

__all__ = ["clock", "db"]  # the fixtures

VOICE = b"OggS\x00\x02" + b"\x00" * 64
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


async def test_clips_are_stored_as_they_came_only_when_their_bytes_match(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    report_id = await db.add_report(clock(), "voice", "video", "exe")
    types = {"voice": "audio/ogg", "video": "video/mp4", "exe": "audio/ogg"}
    async with db.uow() as uow:
        for file_id, mime_type in types.items():
            await uow.session.execute(
                update(ReportPhoto)
                .where(ReportPhoto.file_id == file_id)
                .values(mime_type=mime_type)
            )
        await uow.commit()
    channel = FilesChannel({"voice": VOICE, "video": VIDEO, "exe": b"MZ\x90\x00program"})
    media = tmp_path / "media"
    worker = MediaWorker(uow_factory=db.uow, channel=channel, media_dir=media)  # type: ignore[arg-type]
    assert await worker.download_pending() == 2
    async with db.uow() as uow:
        voice, video, program = (
            await uow.session.scalars(select(ReportPhoto).order_by("id"))
        ).all()
    assert voice.stored_path == str(media / str(report_id) / "1-u-voice.ogg")
    assert (media / str(report_id) / "1-u-voice.ogg").read_bytes() == VOICE
    assert video.stored_path is not None
    assert video.stored_path.endswith(".mp4")
    assert program.stored_path is None
    assert "not a voice file" in (program.download_error or "")
