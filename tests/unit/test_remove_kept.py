"""``storage.media_store.remove_kept`` (the retention round's file removal): the kept file, its
thumbnail and the cleaned copy go; nothing outside the media folder is ever touched."""

from __future__ import annotations

from pathlib import Path

from storage.media_store import CleanStore, ThumbnailStore, remove_kept
from tests.images import jpeg_with_identity, plain_jpeg


def test_the_file_its_thumbnail_and_its_clean_copy_go(tmp_path: Path) -> None:
    media = tmp_path / "media"
    kept = media / "7" / "1-u.jpg"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(plain_jpeg())
    ThumbnailStore(media).get(str(kept), plain_jpeg())
    clean = CleanStore(media).keep(jpeg_with_identity())
    assert clean is not None
    assert len(list(media.rglob("*.jpg"))) == 3
    remove_kept(media, str(kept), clean.ref)
    assert list(media.rglob("*.jpg")) == []
    remove_kept(media, str(kept), clean.ref)  # gone already: nothing to do, no error


def test_nothing_outside_the_media_folder_is_removed(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(plain_jpeg())
    remove_kept(media, str(media / ".." / "secret.jpg"), "local:../../secret.jpg")
    assert outside.exists()
