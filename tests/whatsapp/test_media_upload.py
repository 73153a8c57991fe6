"""A cleaned file goes to a WhatsApp chat through the Cloud API's media upload, once per file
(its media id is remembered beside the media store, ``bot.whatsapp_media``): the real pywa
client against the loopback fake Graph API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.whatsapp_channel import WhatsAppChannel
from bot.whatsapp_media import REUSE_SECONDS, UploadedMedia
from emulator.whatsapp import FakeWhatsApp
from storage.media_store import CleanStore
from tests.images import jpeg_with_identity

TO = "6281234567890"


@pytest.fixture
async def fake() -> AsyncIterator[FakeWhatsApp]:
    server = FakeWhatsApp()
    server.last_inbound[TO] = server.clock()  # the citizen wrote: the 24-hour window is open
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def channel(fake: FakeWhatsApp, tmp_path: Path) -> AsyncIterator[WhatsAppChannel]:
    made = WhatsAppChannel(
        phone_number_id=fake.phone_number_id,
        token=fake.access_token,
        app_secret=fake.app_secret,
        verify_token="v",
        api_url=fake.base_url,
        media_dir=tmp_path,
    )
    yield made
    await made.close()


def _image(ref: str, caption: str) -> dict[str, object]:
    return {"ops": [{"op": "image", "to": TO, "ref": ref, "caption": caption}]}


async def test_a_cleaned_file_is_uploaded_once_and_sent_as_an_image(
    fake: FakeWhatsApp, channel: WhatsAppChannel, tmp_path: Path
) -> None:
    kept = CleanStore(tmp_path).keep(jpeg_with_identity())
    assert kept is not None
    assert await channel.call("whatsapp", _image(kept.ref, "Sudah kami perbaiki."))
    assert await channel.call("whatsapp", _image(kept.ref, ""))
    assert len(fake.uploads) == 1
    media_id = fake.uploads[0]
    assert fake.media[media_id][0] == CleanStore(tmp_path).read(kept.ref)
    images = [m for m in fake.sent if m.get("type") == "image"]
    assert [m["image"]["id"] for m in images] == [media_id, media_id]
    assert images[0]["image"]["caption"] == "Sudah kami perbaiki."
    # Another channel (a restart, another worker on the same media folder) reuses the id too.
    again = WhatsAppChannel(
        phone_number_id=fake.phone_number_id,
        token=fake.access_token,
        app_secret=fake.app_secret,
        verify_token="v",
        api_url=fake.base_url,
        media_dir=tmp_path,
    )
    try:
        assert await again.call("whatsapp", _image(kept.ref, ""))
    finally:
        await again.close()
    assert len(fake.uploads) == 1


async def test_an_id_meta_no_longer_has_is_uploaded_again(
    fake: FakeWhatsApp, channel: WhatsAppChannel, tmp_path: Path
) -> None:
    kept = CleanStore(tmp_path).keep(jpeg_with_identity())
    assert kept is not None
    await channel.call("whatsapp", _image(kept.ref, ""))
    del fake.media[fake.uploads[0]]  # Meta deleted it
    assert await channel.call("whatsapp", _image(kept.ref, "lagi"))
    assert len(fake.uploads) == 2
    assert fake.sent[-1]["image"]["id"] == fake.uploads[1]


def test_a_remembered_id_is_used_for_29_days_then_forgotten(tmp_path: Path) -> None:
    now = [1_000_000.0]
    memory = UploadedMedia(tmp_path, clock=lambda: now[0])
    memory.put("local:" + "a" * 32 + ".jpg", "777")
    assert memory.get("local:" + "a" * 32 + ".jpg") == "777"
    now[0] += REUSE_SECONDS + 1
    assert memory.get("local:" + "a" * 32 + ".jpg") is None
    assert memory.get("local:../../etc/passwd") is None
    assert memory.get("telegram-file-id") is None
