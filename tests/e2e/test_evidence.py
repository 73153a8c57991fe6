"""Evidence is checked by its bytes (issue 18, finding 4): a program declared as a PNG, an empty
file, a photo over the per-photo limit and photos over the per-report total are refused with a
polite sentence, and only real images reach the report and the unit's group."""

from __future__ import annotations

import pytest

from emulator import EmulatorClient
from runtime.settings import Settings
from tests.e2e.conftest import RunningBot, Store
from tests.e2e.helpers import SITI, ChatOf, tiny_png, walk_to

#: Small limits, so the test needs no megabytes: 10 KB per photo, 25 KB per report.
PHOTO_MB = 0.01
REPORT_MB = 0.025
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 64


def jpeg(size: int, tag: int) -> bytes:
    """Bytes with a JPEG signature, ``size`` long (the bot judges signatures, not pixels)."""
    head = b"\xff\xd8\xff\xe0" + bytes([tag])
    return head + b"\x00" * (size - len(head))


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    return bot_settings.model_copy(
        update={"evidence_max_photo_mb": PHOTO_MB, "evidence_max_report_mb": REPORT_MB}
    )


async def test_only_real_images_within_the_limits_count_as_evidence(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, store: Store
) -> None:
    siti = chat_of(SITI)
    await walk_to(siti, "photos", consent=True)

    refused = await siti.do(
        lambda: telegram.send_document(SITI, EXE, "surat_tagihan.exe", "image/png"),
        "bukan gambar",
    )
    assert "Foto diterima" not in refused["text"]
    await siti.do(lambda: telegram.send_photo(SITI, b""), "file kosong")
    await siti.do(lambda: telegram.send_photo(SITI, tiny_png(1)), "Foto diterima: 1/5")
    await siti.do(lambda: telegram.send_photo(SITI, jpeg(12_000, 1)), "terlalu besar (batas")
    await siti.do(lambda: telegram.send_photo(SITI, jpeg(9_000, 2)), "Foto diterima: 2/5")
    await siti.do(lambda: telegram.send_photo(SITI, jpeg(9_000, 3)), "Foto diterima: 3/5")
    await siti.do(lambda: telegram.send_photo(SITI, jpeg(9_000, 4)), "total foto untuk satu")

    await siti.press("✅ Selesai (3 foto)", "Pilih kerahasiaan")
    await siti.press("Biasa", "Periksa laporan Anda")
    await siti.press("📨 Kirim laporan", "Nomor laporan:")
    [report] = await store.reports()
    assert len(report.photos) == 3
    # The refused files are on the record: reasons and counts, not the files.
    [submitted] = [event for event in report.events if event.kind == "submitted"]
    assert submitted.note == (
        "berkas ditolak sebagai bukti: 1 kosong, 1 bukan gambar,"
        " 1 melebihi batas per laporan, 1 terlalu besar"
    )
