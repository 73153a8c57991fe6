"""Evidence images are kept and sent on only as pictures redrawn without metadata (security
review, findings 1 and 2): the store's cleaning and the outbox's uploads, without a bot."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bot.channels.base import Upload
from bot.uploads import MissingUploadError, UploadResolver
from storage.media_store import LOCAL_PREFIX, CleanStore, clean_image
from tests.images import (
    assert_clean,
    gif_html_polyglot,
    jpeg_with_identity,
    png_with_identity,
)


def test_a_jpeg_loses_its_exif_gps_and_comment_and_is_turned_upright() -> None:
    cleaned = clean_image(jpeg_with_identity())
    assert cleaned is not None
    assert cleaned.mime_type == "image/jpeg"
    assert_clean(cleaned.content, "jpeg", ((48, 64),))


def test_a_png_loses_its_text_chunks() -> None:
    cleaned = clean_image(png_with_identity())
    assert cleaned is not None
    assert_clean(cleaned.content, "png", ((32, 32),))


def test_transparency_is_kept_as_a_png() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (4, 4), (10, 20, 30, 0)).save(out, "PNG")
    cleaned = clean_image(out.getvalue())
    assert cleaned is not None
    assert cleaned.mime_type == "image/png"
    with Image.open(io.BytesIO(cleaned.content)) as picture:
        assert picture.mode == "RGBA"


def test_a_polyglot_keeps_no_page() -> None:
    cleaned = clean_image(gif_html_polyglot())
    if cleaned is not None:  # decoded as the GIF it claims to be: only its pixels remain
        assert b"<script" not in cleaned.content
        assert b"html" not in cleaned.content.lower()


@pytest.mark.parametrize(
    "content",
    [b"", b"MZ\x90\x00program", b"\xff\xd8\xff\xe0 not really a jpeg", b"<html></html>"],
)
def test_what_does_not_decode_is_not_kept(content: bytes, tmp_path: Path) -> None:
    assert clean_image(content) is None
    assert CleanStore(tmp_path).keep(content) is None
    assert not (tmp_path / "clean").exists()


def test_an_absurdly_large_picture_is_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 megapixels, a few kilobytes
    assert clean_image(out.getvalue()) is None


def test_the_store_names_files_neutrally_and_reads_only_its_own(tmp_path: Path) -> None:
    store = CleanStore(tmp_path)
    kept = store.keep(jpeg_with_identity())
    assert kept is not None
    assert kept.ref.startswith(LOCAL_PREFIX)
    assert store.keep(jpeg_with_identity()) == kept  # the same picture is kept once
    assert store.read(kept.ref) is not None
    (tmp_path / "secret.txt").write_text("not evidence")
    for forged in ("local:../secret.txt", "local:/etc/passwd", "AgACAgIAAxkBAAIB", "local:"):
        assert store.read(forged) is None, forged


async def test_the_outbox_uploads_cleaned_copies_under_neutral_names(tmp_path: Path) -> None:
    kept = CleanStore(tmp_path).keep(png_with_identity())
    assert kept is not None
    resolver = UploadResolver(tmp_path)
    single = await resolver.resolve({"chat_id": 1, "photo": kept.ref})
    assert isinstance(single["photo"], Upload)
    assert single["photo"].filename == "bukti-1.jpg"
    album = await resolver.resolve(
        {
            "media": [
                {"type": "photo", "media": "AgAC-telegram"},
                {"type": "photo", "media": kept.ref},
            ]
        }
    )
    assert album["media"][0]["media"] == "AgAC-telegram"  # a Telegram photo goes by its id
    assert album["media"][1]["media"] == Upload("bukti-2.jpg", single["photo"].content)
    untouched = {"chat_id": 1, "photo": "AgAC-telegram"}
    assert await resolver.resolve(untouched) is untouched
    with pytest.raises(MissingUploadError):
        await resolver.resolve({"photo": "local:" + "0" * 32 + ".jpg"})
