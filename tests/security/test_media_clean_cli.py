"""``aduan media clean`` redraws photos stored before the media store cleaned what it kept:
their EXIF (GPS, owner) and comments go, clean files and undecodable ones are left alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from cli.main import main
from storage.db import create_engine, migrate, session_factory
from storage.models import ReportPhoto
from tests.images import assert_clean, jpeg_with_identity, plain_jpeg


def _store_photos(url: str, paths: list[Path]) -> None:
    async def store() -> None:
        await migrate(url)
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                # The command reads only the photos' paths; their report is beside the point.
                await session.execute(text("PRAGMA foreign_keys=OFF"))
                session.add_all(
                    ReportPhoto(
                        report_id=1,
                        position=i,
                        file_id=f"f{i}",
                        file_unique_id=f"u{i}",
                        stored_path=str(path),
                    )
                    for i, path in enumerate(paths)
                )
                await session.commit()
        finally:
            await engine.dispose()

    asyncio.run(store())


def test_old_photos_are_redrawn_once_and_the_rest_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'media.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    folder = tmp_path / "media" / "1"
    folder.mkdir(parents=True)
    old, clean, broken = folder / "0-a.jpg", folder / "1-b.jpg", folder / "2-c.jpg"
    old.write_bytes(jpeg_with_identity())
    clean.write_bytes(plain_jpeg(5))
    broken.write_bytes(b"\xff\xd8\xff\xe0 not a picture")
    outside = tmp_path / "elsewhere.jpg"
    outside.write_bytes(jpeg_with_identity())
    _store_photos(url, [old, clean, broken, outside])
    untouched = clean.read_bytes()

    assert main(["media", "clean"]) == 0
    out = capsys.readouterr().out
    assert "4 foto diperiksa: 1 digambar ulang tanpa metadata, 1 tidak terbaca" in out
    assert_clean(old.read_bytes(), "old", ((48, 64),))
    assert clean.read_bytes() == untouched
    assert outside.read_bytes() == jpeg_with_identity()  # outside the media folder: not ours

    redrawn = old.read_bytes()
    assert main(["media", "clean"]) == 0
    assert "0 digambar ulang" in capsys.readouterr().out
    assert old.read_bytes() == redrawn  # a second run changes nothing
