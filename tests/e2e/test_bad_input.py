"""What a citizen may send that the bot did not ask for: it answers politely and stores nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import pytest

from emulator import EmulatorClient
from tests.e2e.helpers import (
    DESCRIPTION,
    SITI,
    ChatOf,
    Until,
    callback_data,
    labels,
    tiny_png,
    walk_to,
)

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest itself
    from tests.e2e.conftest import RunningBot, Settle, Store

GROUP_ID = -1001234567


def unsupported(step: str) -> str:
    return (
        f"Maaf, jenis pesan ini tidak bisa kami terima pada langkah “{step}”. "
        "Silakan ikuti petunjuk di atas."
    )


async def test_stickers_voice_video_and_files_get_a_polite_answer(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, store: Store
) -> None:
    chat = chat_of(SITI)
    # Before any report: nothing to attach to.
    idle = await chat.do(lambda: telegram.send_sticker(SITI), "tidak bisa kami proses")
    assert idle["text"] == (
        "Maaf, jenis pesan ini tidak bisa kami proses. Silakan pilih menu di bawah."
    )

    await walk_to(chat, "description", consent=True)
    pdf = b"%PDF-1.4 surat keterangan"
    wrong: list[Callable[[], Awaitable[object]]] = [
        lambda: telegram.send_sticker(SITI),
        lambda: telegram.send_document(SITI, pdf, "surat.pdf", "application/pdf"),
    ]
    for send in wrong:  # a text is expected
        answer = await chat.do(send, "tidak bisa kami terima")
        assert answer["text"] == unsupported("Uraian")
    # A voice note or video does not replace the description's words (issue 28).
    for clip in (lambda: telegram.send_voice(SITI), lambda: telegram.send_video(SITI)):
        await chat.do(clip, "Mohon tuliskan uraian masalahnya dengan kata-kata")
    # A photo sent early is kept for the photo step.
    photo = await chat.do(lambda: telegram.send_photo(SITI, tiny_png(1)), "Foto disimpan")
    assert photo["text"] == "📷 Foto disimpan, akan dilampirkan pada laporan (1/5)."

    await chat.send(DESCRIPTION, "Kirim foto bukti")
    for send in wrong:  # a photo is expected
        answer = await chat.do(send, "tidak bisa kami terima")
        assert answer["text"] == unsupported("Foto bukti")
    # The emulator's placeholder clips are no OGG or MP4: refused by their bytes.
    await chat.do(lambda: telegram.send_voice(SITI), "bukan rekaman suara")
    await chat.do(lambda: telegram.send_video(SITI), "bukan video MP4")
    text = await chat.send("ini fotonya nanti ya", "silakan kirim foto")
    assert text["text"] == "Pada langkah ini silakan kirim foto (maks. 5), lalu tekan Selesai."

    # None of the rest was kept: the summary counts the one early photo.
    await chat.press("✅ Selesai (1 foto)", "Pilih kerahasiaan")
    summary = await chat.press("Biasa", "Periksa laporan Anda")
    assert "Foto: 1" in summary["text"]
    assert f"Uraian:\n{DESCRIPTION}" in summary["text"]
    assert await store.reports() == []


async def test_sixth_photo_is_refused(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, store: Store
) -> None:
    chat = chat_of(SITI)
    await walk_to(chat, "photos", consent=True)

    async def album_of_five() -> None:
        for i in range(5):
            await telegram.send_photo(SITI, tiny_png(i), media_group_id="album-5")

    full = await chat.do(album_of_five, "📷 Foto diterima: 5/5.")
    assert "✅ Selesai (5 foto)" in labels(full)
    still = await chat.do(lambda: telegram.send_photo(SITI, tiny_png(6)), "📷 Foto diterima: 5/5.")
    assert still["message_id"] != full["message_id"]
    assert "✅ Selesai (5 foto)" in labels(still)
    refused = [t for t in await chat.texts() if "Maksimal" in t]
    assert refused == ["Maksimal 5 foto per laporan; 1 foto terakhir tidak disimpan."]

    await chat.press("✅ Selesai (5 foto)", "Pilih kerahasiaan")
    summary = await chat.press("Biasa", "Periksa laporan Anda")
    assert "Foto: 5" in summary["text"]
    await chat.press("📨 Kirim laporan", "Nomor laporan:")
    [report] = await store.reports()
    assert len(report.photos) == 5
    assert all(p.media_group_id == "album-5" for p in report.photos)


async def test_description_too_short_too_long_and_long_but_allowed(
    running_bot: RunningBot, chat_of: ChatOf, store: Store
) -> None:
    chat = chat_of(SITI)
    await walk_to(chat, "description", consent=True)
    short = await chat.send("jalan rusak", "terlalu singkat")
    assert short["text"] == (
        "Uraian terlalu singkat (11 karakter). "
        "Mohon tulis minimal 20 karakter: apa, di mana, sejak kapan."
    )
    too_long = await chat.send("a" * 4097, "terlalu panjang")
    assert too_long["text"] == (
        "Uraian terlalu panjang (4097 karakter). Mohon ringkas menjadi paling banyak 4096 karakter."
    )

    # 4000 characters fit in one Telegram message, so they are accepted; screens quote a part.
    long_text = ("Pipa bocor di Jalan Poros Bengalon. " * 120)[:4000]
    await chat.send(long_text, "Kirim foto bukti")
    await chat.press("Lewati ➡️", "Pilih kerahasiaan")
    summary = await chat.press("Biasa", "Periksa laporan Anda")
    assert long_text[:1500] + "…" in summary["text"]
    assert len(summary["text"]) < 4096
    done = await chat.press("📨 Kirim laporan", "Nomor laporan:")
    [report] = await store.reports()
    assert report.description == long_text
    status = await chat.send(f"/status {report.tracking_no}", "Riwayat:")
    assert f"Uraian: {long_text[:600]}…" in status["text"]
    assert report.tracking_no in done["text"]


async def test_button_on_an_old_message_is_stale(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, settle: Settle
) -> None:
    chat = chat_of(SITI)
    old = await walk_to(chat, "kecamatan", consent=True)
    # Typing a name shows the matches in a new message; the old list stays on screen.
    await chat.send("sangata", "Hasil untuk “sangata”")
    before = await chat.snapshot()
    answered = len(await telegram.callback_answers(SITI.id))
    await telegram.press(SITI, int(old["message_id"]), callback_data(old, "Bengalon"))
    await settle()

    [answer] = (await telegram.callback_answers(SITI.id))[answered:]
    assert answer["text"] == "Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru."
    assert answer["show_alert"] is True
    assert await chat.snapshot() == before  # no message sent or changed
    await chat.press("Sangatta Utara", "Di desa/kelurahan mana")


async def test_button_data_never_issued_is_refused(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, settle: Settle
) -> None:
    chat = chat_of(SITI)
    screen = await walk_to(chat, "type", consent=True)
    before = await chat.snapshot()
    answered = len(await telegram.callback_answers(SITI.id))
    for forged in ("d:2:type:pengaduan|AAAAAAAA", "d:2:submit", "g:0:lang:en|" + "0" * 22):
        await telegram.press(SITI, int(screen["message_id"]), forged, force=True)
    await settle()

    answers = (await telegram.callback_answers(SITI.id))[answered:]
    assert [a["text"] for a in answers] == ["Tombol ini tidak dikenali."] * 3
    assert all(a["show_alert"] for a in answers)
    assert await chat.snapshot() == before
    # The conversation did not move: the real buttons of the screen still work, in Indonesian.
    await chat.press("Pengaduan", "Pilih kategori yang paling sesuai")


async def test_group_chat_gets_a_pointer_to_the_private_chat(
    running_bot: RunningBot, telegram: EmulatorClient, store: Store, settle: Settle
) -> None:
    await telegram.register_chat(GROUP_ID, "supergroup", "Warga RT 05", members=[SITI.id])
    pointer = (
        "Fitur pelaporan hanya bisa dipakai di chat pribadi dengan bot ini. "
        "Silakan buka chat pribadi dengan bot."
    )
    await telegram.send_text(SITI, "/baru", chat_id=GROUP_ID)
    await telegram.send_text(SITI, "halo semua, ada yang tahu air mati?", chat_id=GROUP_ID)
    await telegram.send_text(SITI, "/status 7KQ4-M2XD-4", chat_id=GROUP_ID)
    await telegram.send_text(SITI, "/start", chat_id=GROUP_ID)
    await telegram.wait_for_message(GROUP_ID, contains="/daftar", timeout=10)
    await settle()

    group = [m["text"] for m in await telegram.messages(GROUP_ID)]
    # The chatter gets no answer; each citizen command a pointer; /start in a group that is not
    # a unit's group says how a unit registers it.
    assert group[:2] == [pointer, pointer]
    assert len(group) == 3
    assert "belum terdaftar" in group[2]
    assert await store.citizens() == []
    assert await store.reports() == []
    chats = {m["chat"]["id"] for m in await telegram.messages()}
    assert chats == {GROUP_ID}  # nothing was sent to Siti privately


@pytest.mark.real_flood_control
async def test_flood_gets_one_warning_and_makes_one_draft(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    until: Until,
    settle: Settle,
) -> None:
    chat = chat_of(SITI)
    await chat.consent()
    before = len(await chat.messages())
    for _ in range(30):  # well within 10 seconds
        await telegram.send_text(SITI, "📝 Laporan baru")

    async def all_processed() -> bool:
        rows = await store.inbox()
        return len(rows) == 32 and all(r.processed_at is not None for r in rows)

    await until(all_processed, 15)
    await settle()
    replies = [m["text"] for m in (await chat.messages())[before:]]
    warnings = [r for r in replies if "pelan-pelan" in r]
    assert warnings == [
        "Mohon pelan-pelan 🙏 Pesan Anda terlalu cepat; tunggu beberapa detik lalu kirim lagi."
    ]
    assert len(replies) < 30
    assert sum("Langkah 1/9 · Jenis laporan" in r for r in await chat.texts()) == 1
    assert all("Langkah" in r or "belum selesai" in r or r in warnings for r in replies)
    conversations = await store.conversations()
    assert len(conversations) == 1
    assert conversations[0].draft.get("step") == "type"
    assert await store.reports() == []


async def test_unknown_command_keeps_the_draft(running_bot: RunningBot, chat_of: ChatOf) -> None:
    chat = chat_of(SITI)
    await walk_to(chat, "category", consent=True)
    unknown = await chat.send("/terbang", "tidak kami kenal")
    assert unknown["text"] == (
        "Maaf, perintah itu tidak kami kenal. Ketik /bantuan untuk melihat perintah yang tersedia."
    )
    offer = await chat.send("📝 Laporan baru", "belum selesai")
    assert "langkah: Kategori" in offer["text"]
    assert labels(offer) == ["▶️ Lanjutkan", "🗑️ Buang, mulai baru"]
    await chat.press("▶️ Lanjutkan", "Pilih kategori yang paling sesuai")
