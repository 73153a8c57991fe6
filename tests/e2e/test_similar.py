"""Laporan serupa end to end: the real bot on each framework against the emulator.

A citizen about to file what another already reported is shown that report once the unit
verified it (never who filed it, where exactly or when) and may support it; supporters hear of
the unit's steps and its final answer, never its notes to the reporter, and stay unknown to the
unit.
"""

from __future__ import annotations

from collections.abc import Callable

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from tests.e2e.conftest import RunningBot, Store
from tests.e2e.helpers import SITI, Until, labels
from tests.e2e.scenario import Scenario
from tests.e2e.units import (
    KADES,
    SEPASO_GROUP,
    card_in,
    file_report,
    more_of,
    reply,
    setup_groups,
)

ChatOf = Callable[[TgUser], ChatView]
BUDI = TgUser(id=3003, first_name="Budi", last_name="Santoso", username="budi_pendukung")
OFFER = "laporan serupa yang sedang ditangani"
SUPPORT_FIRST = "👍 Dukung laporan ini (no. 1)"


async def _to_location(chat: ChatView, category: str = "Sampah & Lingkungan") -> None:
    await chat.send("📝 Laporan baru", "Apa jenis laporan Anda?")
    await chat.press("Pengaduan", "Pilih kategori")
    await chat.press(category, "Di kecamatan mana")
    await chat.press("Bengalon", "Di desa/kelurahan mana")
    await chat.press("Sepaso", "Tulis detail alamat")
    await chat.press("Lewati ➡️", "Kirim titik lokasi")


async def _never_named(*groups: ChatView) -> None:
    """The supporter's name, username and id appear in no message of these groups."""
    for group in groups:
        for message in await group.messages():
            text = str(message.get("text", "")) + str(message.get("caption", ""))
            for secret in ("Budi", "Santoso", "budi_pendukung", str(BUDI.id)):
                assert secret not in text, (group.chat_id, text)


async def test_offered_and_accepted_the_supporter_follows_the_units_answer_anonymously(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    coordinator, sepaso, siti = scenario.coordinator, scenario.desa, scenario.citizen
    # The card is out before anyone supports it (a card not sent yet is not edited: the count
    # shows from its next edit); only a verified report is offered to others.
    number, _ = await scenario.file()
    await scenario.verify(number)

    budi = chat_of(BUDI)
    await budi.consent()
    await _to_location(budi)
    offer = await budi.send("Lewati lokasi ➡️", OFFER)
    for shown in (number, "Sampah & Lingkungan", "Sepaso", "Sudah diteruskan ke unit"):
        assert shown in offer["text"], shown
    assert "Siti" not in offer["text"]  # never who
    assert "Sejak" not in offer["text"]  # nor when it was filed
    assert labels(offer) == [SUPPORT_FIRST, "➡️ Lanjutkan laporan saya"]

    thanks = await budi.press(SUPPORT_FIRST, "Anda kini mendukung laporan")
    assert number in thanks["text"]
    assert "1 pendukung" in thanks["text"]
    assert len(await store.reports()) == 1  # Budi's draft is not filed

    card = await card_in(sepaso, number, showing="Didukung 1 warga lain")
    assert "👍 Didukung 1 warga lain" in card["text"]

    # A follow-up note is written to the reporter: the supporter hears of the step only.
    note = "Bu Siti, truk sampah datang besok pagi ke depan rumah Ibu."
    prompt = await sepaso.press("🔧 Tindak lanjut", "catatan tindak lanjut")
    step = await reply(
        sepaso, prompt, note, expect_in=budi, expect=f"Kabar laporan {number} yang Anda dukung"
    )
    assert "sedang ditindaklanjuti" in step["text"]
    assert "truk sampah" not in step["text"]
    assert note in (await siti.expect("truk sampah datang besok", {}))["text"]

    # The final answer is for the public: it reaches the supporter, without Siti's buttons.
    answer = "Sampah sudah diangkut truk kecamatan pagi ini."
    prompt = await sepaso.press("🏁 Selesai", "jawaban akhir")
    done = await reply(sepaso, prompt, answer, expect_in=budi, expect=answer)
    assert f"Kabar laporan {number} yang Anda dukung" in done["text"]
    assert labels(done) == []
    assert "truk sampah datang besok" not in "\n".join(await budi.texts())
    await _never_named(sepaso, coordinator)


async def test_offered_and_declined_the_citizen_files_their_own(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso = scenario.desa
    first, _ = await scenario.file()
    await scenario.verify(first)  # only a verified report is offered to others

    budi = chat_of(BUDI)
    await budi.consent()
    await _to_location(budi)
    await budi.send("Lewati lokasi ➡️", OFFER)
    await budi.press("➡️ Lanjutkan laporan saya", "silakan lanjutkan laporan Anda")
    await budi.send("Sampah juga menumpuk di ujung gang, baunya sampai ke rumah.", "Kirim foto")
    photo = b"\xff\xd8\xff\xe0 sampah di gang" * 30
    await budi.do(lambda: telegram.send_photo(BUDI, photo), "📷 Foto diterima: 1/5.")
    await budi.press("✅ Selesai (1 foto)", "Pilih kerahasiaan laporan")
    await budi.press("Anonim", "Periksa laporan Anda")
    await budi.press("📨 Kirim laporan", "Nomor laporan:")
    assert len(await store.reports()) == 2
    card = await card_in(sepaso, first)
    assert "Didukung" not in card["text"]
    await _never_named(sepaso)


async def test_nothing_similar_no_offer(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
) -> None:
    await setup_groups(telegram, database_url)
    siti = chat_of(SITI)
    await siti.consent()
    await file_report(siti, telegram)

    budi = chat_of(BUDI)
    await budi.consent()
    await _to_location(budi, category="Jalan & Jembatan")
    await budi.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    assert not [m for m in await budi.messages() if OFFER in str(m.get("text", ""))]


async def _original_and_duplicate(
    telegram: EmulatorClient, chat_of: ChatOf, sepaso: ChatView
) -> tuple[str, str, ChatView]:
    """Siti files a report, then Budi (anonim) the same one; the numbers, and Budi's chat."""
    siti = chat_of(SITI)
    await siti.consent()
    original = await file_report(siti, telegram)
    budi = chat_of(BUDI)
    await budi.consent()
    duplicate = await file_report(budi, telegram, privacy="Anonim")
    await card_in(sepaso, duplicate)
    return original, duplicate, budi


async def test_a_unit_merges_a_duplicate_and_its_reporter_follows_the_original(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    coordinator, sepaso, _ = await setup_groups(telegram, database_url)
    original, duplicate, budi = await _original_and_duplicate(telegram, chat_of, sepaso)

    await more_of(sepaso, duplicate)
    await sepaso.press("🗄 Arsipkan", "Pilih alasan")
    picker = await sepaso.press("Duplikat laporan lain", "Duplikat dari laporan mana")
    assert labels(picker)[0] == f"🔗 {original}"
    told = await budi.do(
        lambda: telegram.press_button(KADES, f"🔗 {original}", chat_id=SEPASO_GROUP),
        "ternyata sama dengan laporan",
    )
    assert duplicate in told["text"]
    assert original in told["text"]
    reports = {r.tracking_no: r for r in await store.reports()}
    assert reports[duplicate].status == "diarsipkan"
    assert reports[original].status == "baru"  # the original alone carries the deadline
    card = await card_in(sepaso, original, showing="Didukung 1 warga lain")
    assert "👍 Didukung 1 warga lain" in card["text"]

    # The merged reporter now hears the original's news.
    await budi.do(
        lambda: telegram.press_button(KADES, "✅ Verifikasi", chat_id=SEPASO_GROUP),
        f"Kabar laporan {original} yang Anda dukung",
    )
    await _never_named(sepaso, coordinator)


async def test_a_typed_archive_as_duplicate_names_the_original(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    """``/arsipkan NOMOR duplikat NOMOR_ASLI``: the typed twin of the picker; without the
    original's number, or with one that cannot carry it, the group is told what to write."""
    _, sepaso, _ = await setup_groups(telegram, database_url)
    original, duplicate, budi = await _original_and_duplicate(telegram, chat_of, sepaso)

    usage = await sepaso.send(f"/arsipkan {duplicate} duplikat", "laporan aslinya")
    assert f"/arsipkan {duplicate} duplikat NOMOR_ASLI" in usage["text"]
    itself = await sepaso.send(f"/arsipkan {duplicate} duplikat {duplicate}", "laporan asli")
    assert itself["text"] == "Pilih laporan asli yang masih terbuka (bukan laporan ini)."
    told = await budi.do(
        lambda: sepaso.send(
            f"/arsipkan {duplicate} duplikat {original.lower()}", f"Laporan {duplicate}"
        ),
        "ternyata sama dengan laporan",
    )
    assert original in told["text"]
    reports = {r.tracking_no: r for r in await store.reports()}
    assert (reports[duplicate].status, reports[original].status) == ("diarsipkan", "baru")
    await card_in(sepaso, original, showing="Didukung 1 warga lain")


async def test_a_supporters_words_and_photo_reach_the_unit_as_an_addition_never_who(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    until: Until,
) -> None:
    """After "👍 Dukung", the supporter's messages go to the card in the unit's group, labelled
    as from a supporter; the report's status is untouched (a supporter's words are not the
    reporter's answer to the unit's question)."""
    scenario = await Scenario.start(telegram, database_url, chat_of)
    coordinator, sepaso, siti = scenario.coordinator, scenario.desa, scenario.citizen
    number, card = await scenario.file()
    await scenario.verify(number)
    await card_in(sepaso, number, showing="(Terdisposisi)")
    budi = chat_of(BUDI)
    await budi.consent()
    await _to_location(budi)
    await budi.send("Lewati lokasi ➡️", OFFER)
    thanks = await budi.press(SUPPORT_FIRST, "Anda kini mendukung laporan")
    assert "keterangan atau foto" in thanks["text"]

    prompt = await sepaso.press("❓ Minta info", "balas pesan ini dengan pertanyaan")
    await reply(sepaso, prompt, "Di RT berapa tepatnya?", expect_in=siti, expect="Di RT berapa")
    [report] = await store.reports()
    assert report.status == "menunggu_pelapor"
    assert "Di RT berapa" not in "\n".join(await budi.texts())  # the question is the reporter's

    before = await sepaso.snapshot()
    told = await budi.send("Di depan rumah saya juga menumpuk sejak Senin.", "diteruskan")
    assert number in told["text"]
    added = await sepaso.expect(f"Pendukung laporan {number} menambahkan keterangan", before)
    assert "Di depan rumah saya juga menumpuk sejak Senin." in added["text"]
    assert "Pesan dari pelapor" not in added["text"]
    assert added["reply_to_message"]["message_id"] == card["message_id"]

    photo = b"\xff\xd8\xff\xe0 tumpukan di depan rumah" * 30
    await telegram.send_photo(BUDI, photo)

    async def photo_arrived() -> bool:
        return any(
            m.get("photo") and before.get(int(m["message_id"])) is None
            for m in await sepaso.messages()
        )

    await until(photo_arrived, 10)
    [sent] = [
        m
        for m in await sepaso.messages()
        if m.get("photo") and before.get(int(m["message_id"])) is None
    ]
    assert sent["reply_to_message"]["message_id"] == card["message_id"]
    [report] = await store.reports()
    assert report.status == "menunggu_pelapor"  # still waiting for the reporter's answer
    assert not [t for t in await siti.texts() if "menumpuk sejak Senin" in t]
    await _never_named(sepaso, coordinator)
