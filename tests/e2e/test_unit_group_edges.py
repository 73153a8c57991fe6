"""Unit groups at their edges: the bot removed or the group upgraded, commands instead of buttons,
reopening, archiving, stale buttons, failed deliveries and the citizen's "Balas" button."""

from __future__ import annotations

import pytest

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from handlers.formatting import long_date
from tests.e2e.conftest import RunningBot, Settle, Store
from tests.e2e.helpers import SITI, ChatOf, Until, callback_data, labels
from tests.e2e.scenario import Scenario
from tests.e2e.units import (
    KADES,
    SEPASO,
    SEPASO_GROUP,
    STAF_DESA,
    bind,
    bind_area,
    card_in,
    coordinator_code,
    event_kinds,
    expired_code_for,
    file_report,
    more_of,
    reply,
    setup_groups,
    unit_chat,
    unit_code_of_area,
    unit_of,
)

BUDI = TgUser(id=1002, first_name="Budi")
CAMAT = TgUser(id=2005, first_name="Pak", last_name="Camat")
BENGALON = "64.08.09"
BENGALON_GROUP = -1001004
# A basic group (not yet a supergroup): Telegram gives those small negative ids.
SEPASO_BASIC = -4002
SEPASO_SUPER = -1004002
DRAINASE = "Saluran air depan SDN 003 Sepaso tersumbat lumpur, air meluap ke jalan tiap hujan."
JALAN = "Lubang besar di jalan poros Sepaso dekat masjid, sudah dua motor jatuh minggu ini."


async def _rows_for(store: Store, chat_id: int) -> int:
    """How many outbox rows were ever queued for the chat."""
    return sum(1 for row in await store.outbox() if row.chat_id == str(chat_id))


@pytest.mark.parametrize("removal", ["kicked", "left"])
async def test_a_desa_group_that_removes_the_bot_is_unbound_until_registered_again(
    removal: str,
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    coordinator, sepaso, _ = await setup_groups(telegram, database_url)
    desa_unit = await unit_code_of_area(database_url, SEPASO)

    # The village head removes the bot: the coordinator hears of it, the binding is inactive.
    notice = await coordinator.do(
        lambda: telegram.member_update(KADES, SEPASO_GROUP, removal), "dikeluarkan"
    )
    assert '"Pemdes Sepaso"' in notice["text"]
    assert "Desa Sepaso" in notice["text"]
    binding = await unit_chat(database_url, SEPASO_GROUP)
    assert binding is not None
    assert (binding.active, binding.unbound_reason) == (False, removal)
    sent_to_desa = len(await sepaso.messages())
    queued_for_desa = await _rows_for(store, SEPASO_GROUP)

    # The next report for Sepaso goes up: no kecamatan group yet, so to the coordinator.
    siti = chat_of(SITI)
    await siti.consent()
    first = await file_report(siti, telegram)
    card = await coordinator.expect(f"📋 Laporan {first}", {})
    assert "✅ Verifikasi" in labels(card)
    [report] = await store.reports()
    assert (await unit_of(database_url, report.unit_id)).kind == "coordinator"
    assert (await event_kinds(database_url, report.id))[-1] == "routed_fallback"

    # With a kecamatan group, the next one stops there.
    await telegram.register_chat(BENGALON_GROUP, title="Kecamatan Bengalon", admins=[CAMAT.id])
    bengalon = ChatView(telegram, CAMAT, BENGALON_GROUP)
    kecamatan_unit = await unit_code_of_area(database_url, BENGALON)
    await bind(bengalon, await coordinator_code(coordinator, kecamatan_unit), "Kecamatan Bengalon")
    second = await file_report(siti, telegram, description=DRAINASE)
    await bengalon.expect(f"📋 Laporan {second}", {})
    report = (await store.reports())[-1]
    assert (await unit_of(database_url, report.unit_id)).code == kecamatan_unit

    # Nothing was sent to the group the bot is no longer in.
    assert len(await sepaso.messages()) == sent_to_desa
    assert await _rows_for(store, SEPASO_GROUP) == queued_for_desa

    # Added back: the bot asks for a code, and a new one binds the group again.
    await sepaso.do(
        lambda: telegram.member_update(KADES, SEPASO_GROUP, "administrator"), "/daftar KODE"
    )
    fresh = await coordinator_code(coordinator, desa_unit)
    await bind(sepaso, fresh, "Desa Sepaso")
    again = await unit_chat(database_url, SEPASO_GROUP)
    assert again is not None
    assert again.active
    third = await file_report(siti, telegram, description=JALAN)
    await sepaso.expect(f"📋 Laporan {third}", {})
    report = (await store.reports())[-1]
    assert report.unit_id == again.unit_id
    assert all(third not in text for text in await bengalon.texts())


async def test_a_desa_group_upgraded_to_a_supergroup_keeps_working_under_its_new_id(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    until: Until,
    settle: Settle,
) -> None:
    coordinator, _, _ = await setup_groups(telegram, database_url, desa=False)
    await telegram.register_chat(
        SEPASO_BASIC, "group", "Pemdes Sepaso", admins=[KADES.id], members=[STAF_DESA.id]
    )
    old = ChatView(telegram, KADES, SEPASO_BASIC)
    await bind_area(coordinator, old, database_url, SEPASO, "Desa Sepaso")
    siti = chat_of(SITI)
    await siti.consent()
    before = await file_report(siti, telegram)
    await old.expect(f"📋 Laporan {before}", {})
    await siti.do(
        lambda: telegram.press_button(KADES, "✅ Verifikasi", chat_id=SEPASO_BASIC),
        "sudah diverifikasi",
    )
    await settle()

    # The group becomes a supergroup: the binding follows the new id.
    await telegram.migrate_group(SEPASO_BASIC, SEPASO_SUPER, user=KADES)

    async def moved() -> bool:
        binding = await unit_chat(database_url, SEPASO_SUPER)
        return binding is not None and binding.active

    await until(moved, 10)
    sent_to_old = await old.snapshot()
    queued_for_old = await _rows_for(store, SEPASO_BASIC)
    new = ChatView(telegram, KADES, SEPASO_SUPER)

    # The open report's card is posted again in the supergroup, with working buttons.
    reposted = await new.expect(f"📋 Laporan {before}", {})
    assert "❓ Minta info" in labels(reposted)

    # The officers look at their queue in the new group; then a new report arrives there.
    queue = await new.send("/antrian", "Laporan terbuka")
    assert before in queue["text"]
    budi = chat_of(BUDI)
    await budi.consent()
    after = await file_report(budi, telegram, description=DRAINASE)
    card = await new.expect(f"📋 Laporan {after}", {})
    assert "✅ Verifikasi" in labels(card)

    # An officer verifies the new card and replies to it: Budi gets the answer, and only Budi.
    await budi.do(
        lambda: telegram.press_button(KADES, "✅ Verifikasi", chat_id=SEPASO_SUPER),
        "sudah diverifikasi",
    )
    card = await card_in(new, after)
    answer = await reply(
        ChatView(telegram, STAF_DESA, SEPASO_SUPER),
        card,
        "Besok kami cek saluran itu bersama warga.",
        expect_in=budi,
        expect="Besok kami cek saluran",
    )
    assert "Jawaban Desa Sepaso" in answer["text"]
    assert all("Besok kami cek" not in text for text in await siti.texts())
    await new.expect("diteruskan ke pelapor", {})

    # The older report is acted on by command from the new group; the new card stays intact
    # (the old card is in the old group, and its message id means another message here).
    await siti.do(
        lambda: telegram.send_text(
            KADES, f"/tanya {before} Di RT berapa tepatnya?", chat_id=SEPASO_SUPER
        ),
        "Di RT berapa tepatnya?",
    )
    await settle()
    card = await card_in(new, after)
    assert card["text"].startswith(f"📋 Laporan {after}")
    assert all(f"Laporan {before}" not in text for text in await budi.texts())
    reposted = await new.send(f"/laporan {before}", f"📋 Laporan {before}")
    assert "Status: Menunggu jawaban pelapor; tenggat berhenti sementara" in reposted["text"]
    await reply(
        new, reposted, "Sudah kami jadwalkan.", expect_in=siti, expect="Sudah kami jadwalkan."
    )

    # Nothing went to the old id after the upgrade.
    await settle()
    assert await old.snapshot() == sent_to_old
    assert await _rows_for(store, SEPASO_BASIC) == queued_for_old


async def test_officers_work_by_commands_and_get_clear_refusals(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    coordinator, sepaso, pupr = scenario.coordinator, scenario.desa, scenario.pupr
    siti, budi = scenario.citizen, chat_of(BUDI)
    number, _ = await scenario.file()
    await budi.consent()
    other = await file_report(budi, telegram, category="Jalan & Jembatan", description=JALAN)
    await pupr.expect(f"📋 Laporan {other}", {})
    mine, theirs = await store.reports()

    # The queue shows the open report with its deadline; /laporan posts the card again.
    queue = await sepaso.send("/antrian", "Laporan terbuka — Desa Sepaso (1)")
    assert mine.due_date is not None
    due = long_date(mine.due_date, "id")
    assert (
        f"• {number} · Baru masuk, belum diperiksa (Belum Terverifikasi) · tenggat {due}"
        in queue["text"]
    )
    assert other not in queue["text"]
    cards = len([t for t in await sepaso.texts() if t.startswith(f"📋 Laporan {number}")])
    again = await sepaso.send(f"/laporan {number}", f"📋 Laporan {number}")
    assert "✅ Verifikasi" in labels(again)
    assert len([t for t in await sepaso.texts() if t.startswith(f"📋 Laporan {number}")]) == (
        cards + 1
    )
    refused = await sepaso.send(f"/laporan {other}", "tidak ditemukan")
    assert refused["text"] == f"Laporan {other} tidak ditemukan, atau bukan laporan unit ini."
    await sepaso.send(f"/verifikasi {other}", "bukan laporan unit ini")

    # Action commands reach the citizen.
    await siti.do(
        lambda: sepaso.send(f"/verifikasi {number}", f"✅ Laporan {number} diverifikasi"),
        "sudah diverifikasi dan diteruskan ke Desa Sepaso",
    )
    usage = await sepaso.send(f"/tanya {number}", "Tuliskan pertanyaannya")
    assert usage["text"] == "Tuliskan pertanyaannya: /tanya NOMOR pertanyaan"
    question = await siti.do(
        lambda: sepaso.send(f"/tanya {number} Sampahnya di sisi jalan yang mana?", "dikirim"),
        "Sampahnya di sisi jalan yang mana?",
    )
    assert "membutuhkan informasi tambahan" in question["text"]
    done = await siti.do(
        lambda: sepaso.send(
            f"/selesai {number} Sampah sudah diangkut truk DLH pagi ini.", "dinyatakan selesai"
        ),
        "Sampah sudah diangkut truk DLH pagi ini.",
    )
    assert labels(done) == ["👍 Sudah selesai", "👎 Belum selesai"]
    await pupr.send(f"/arsipkan {other} iseng", "Tuliskan alasannya")
    archived = await budi.do(
        lambda: pupr.send(f"/arsipkan {other} spam", f"🗄 Laporan {other} diarsipkan"),
        "diarsipkan",
    )
    assert "Alasan: Spam / iseng" in archived["text"]
    mine, theirs = await store.reports()
    assert (mine.status, theirs.status) == ("selesai", "diarsipkan")
    assert await event_kinds(database_url, mine.id) == ["submitted", "routed", "vf", "ask", "done"]

    # Registering: only an admin, and only with a valid, unused, unexpired code.
    staff = ChatView(telegram, STAF_DESA, SEPASO_GROUP)
    code = await coordinator_code(coordinator, "dinas-pupr")
    await staff.send(f"/daftar {code}", "hanya admin grup ini")
    await telegram.register_chat(BENGALON_GROUP, title="Kecamatan Bengalon", admins=[CAMAT.id])
    bengalon = ChatView(telegram, CAMAT, BENGALON_GROUP)
    await bengalon.send("/daftar ZZZZ-ZZZZ", "Kode tidak dikenal")
    expired = await expired_code_for(database_url, await unit_code_of_area(database_url, BENGALON))
    await bengalon.send(f"/daftar {expired}", "sudah kedaluwarsa")
    kecamatan = await coordinator_code(coordinator, await unit_code_of_area(database_url, BENGALON))
    await bind(bengalon, kecamatan, "Kecamatan Bengalon")
    await sepaso.send(f"/daftar {kecamatan}", "sudah pernah dipakai")
    binding = await unit_chat(database_url, SEPASO_GROUP)
    assert binding is not None
    assert (binding.active, binding.unit_id) == (True, mine.unit_id)

    # Coordinator-only and citizen-only commands are pointed elsewhere.
    await sepaso.send("/kode dinas-pupr", "hanya untuk grup koordinator")
    await sepaso.send("/gagal", "hanya untuk grup koordinator")
    await sepaso.send("/baru", "hanya bisa dipakai di chat pribadi")
    await coordinator.send("/status", "hanya bisa dipakai di chat pribadi")


async def test_a_citizen_who_says_not_done_reopens_the_report_for_desa_and_coordinator(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    coordinator, sepaso, siti = scenario.coordinator, scenario.desa, scenario.citizen
    number, _ = await scenario.file()
    await scenario.verify(number)
    prompt = await sepaso.press("🏁 Selesai", "jawaban akhir")
    before = await sepaso.snapshot()
    await reply(sepaso, prompt, "Sampah sudah diangkut.", expect_in=siti, expect="sudah selesai")
    card = await sepaso.expect("Status: Sudah dijawab, menunggu pelapor menyatakan selesai", before)
    # The unit may still write to the reporter, and note for itself.
    assert labels(card) == ["💬 Jawab pelapor", "📝 Catatan internal"]

    # "Belum selesai": the report is open again, and both groups hear it under the card.
    await settle()
    desa_before, coordinator_before = await sepaso.snapshot(), await coordinator.snapshot()
    reopened = await siti.press("👎 Belum selesai", "kami buka kembali")
    assert "Silakan tulis apa yang belum selesai" in reopened["text"]
    for group in (sepaso, coordinator):
        before = desa_before if group is sepaso else coordinator_before
        warning = await group.expect("BELUM selesai", before)
        assert number in warning["text"]
        card = await card_in(group, number)
        assert warning["reply_to_message"]["message_id"] == card["message_id"]
        card = await group.expect(f"📋 Laporan {number}", before)
        assert "Status: Sedang ditangani unit" in card["text"]
        assert labels(card) == [
            "❓ Minta info",
            "💬 Jawab pelapor",
            "🔧 Tindak lanjut",
            "🏁 Selesai",
            "⋯ Lainnya",
        ]
    [report] = await store.reports()
    assert (report.status, report.selesai_at) == ("diproses", None)
    assert report.due_date is not None

    # What the citizen writes next goes to the desa as the missing part.
    relayed = await sepaso.do(
        lambda: telegram.send_text(SITI, "Yang di belakang pasar belum diangkut."),
        "Pesan dari pelapor",
    )
    assert "Yang di belakang pasar belum diangkut." in relayed["text"]
    assert (await event_kinds(database_url))[-2:] == ["reopen", "reporter_info"]


async def test_archiving_by_buttons_closes_the_card_and_tells_the_citizen(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    number, _ = await scenario.file()
    verified = await scenario.verify(number)
    card = await card_in(sepaso, number)

    await more_of(sepaso, number)
    picker = await sepaso.press("🗄 Arsipkan", "Pilih alasan arsip")
    assert picker["reply_to_message"]["message_id"] == card["message_id"]
    assert labels(picker) == [
        "Tidak jelas / kurang lengkap",
        "Bukan layanan publik",
        "Duplikat laporan lain",
        "Spam / iseng",
        "Alasan lain",
        "✖️ Batal",
    ]
    notice = await siti.do(
        lambda: telegram.press_button(KADES, "Spam / iseng", chat_id=SEPASO_GROUP),
        "diarsipkan",
    )
    assert "Alasan: Spam / iseng" in notice["text"]
    assert labels(notice) == []  # nothing to answer any more
    closed = await sepaso.expect("🗄 Diarsipkan: Spam / iseng", {})
    assert closed["message_id"] == picker["message_id"]
    assert labels(closed) == []
    card = await card_in(
        sepaso, number, showing="Status: Tidak ditindaklanjuti, disimpan sebagai arsip (Arsip)"
    )
    assert "Status: Tidak ditindaklanjuti, disimpan sebagai arsip (Arsip)" in card["text"]
    assert labels(card) == []
    [report] = await store.reports()
    assert report.status == "diarsipkan"

    # A late reply to an older bot message is answered politely, and nothing reaches the desa.
    sent_to_desa = await sepaso.snapshot()
    refused = await reply(
        siti, verified, "Masih ada, tolong dicek lagi.", expect_in=siti, expect="diarsipkan"
    )
    assert refused["text"].startswith(f"Laporan {number} sudah diarsipkan")
    await siti.press("✍️ Balas / tambah info", "Silakan tulis jawaban")
    await siti.send("Tolong jangan diarsipkan.", "sudah diarsipkan")
    await settle()
    assert await sepaso.snapshot() == sent_to_desa
    assert "reporter_info" not in await event_kinds(database_url)


async def test_a_stale_verify_button_is_refused_and_changes_nothing(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    number, first = await scenario.file()
    verify = callback_data(first, "✅ Verifikasi")
    # The card is posted again (/laporan) and verified there; the first card is left as it was.
    await sepaso.send(f"/laporan {number}", f"📋 Laporan {number}")
    await siti.do(
        lambda: telegram.press_button(KADES, "✅ Verifikasi", chat_id=SEPASO_GROUP),
        "sudah diverifikasi",
    )
    await settle()
    siti_saw = await siti.snapshot()
    stale = [m for m in await sepaso.messages() if m["message_id"] == first["message_id"]]
    assert "✅ Verifikasi" in labels(stale[0])

    # Pressing the old card's button, and a double tap on the new one before its edit arrived.
    await telegram.press(STAF_DESA, int(first["message_id"]), verify, chat_id=SEPASO_GROUP)
    newest = await card_in(sepaso, number)
    await telegram.press(KADES, int(newest["message_id"]), verify, chat_id=SEPASO_GROUP, force=True)
    await settle()
    answers = (await telegram.callback_answers(SEPASO_GROUP))[-2:]
    assert [(a["text"], a["show_alert"]) for a in answers] == [
        ("Laporan ini sudah diverifikasi.", True)
    ] * 2
    assert await siti.snapshot() == siti_saw
    [report] = await store.reports()
    assert report.status == "didisposisi"
    assert (await event_kinds(database_url)).count("vf") == 1


async def test_a_citizen_who_blocked_the_bot_shows_up_in_the_coordinators_failures(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    until: Until,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    coordinator, sepaso = scenario.coordinator, scenario.desa
    await coordinator.send("/gagal", "Tidak ada pesan yang gagal terkirim.")
    number, _ = await scenario.file()
    await scenario.verify(number)
    await telegram.block(SITI.id)
    card = await card_in(sepaso, number)
    await reply(
        sepaso, card, "Petugas datang besok pagi.", expect_in=sepaso, expect="diteruskan ke pelapor"
    )

    async def failed() -> bool:
        return any(row.failed_at for row in await store.outbox())

    await until(failed, 10)
    [row] = [row for row in await store.outbox() if row.failed_at is not None]
    assert row.chat_id == str(SITI.id)
    assert "blocked" in (row.error or "")
    # The officers and the coordinator are told at once that the answer did not arrive.
    warning = f"Pesan untuk pelapor laporan {number} tidak terkirim: pelapor memblokir bot"
    notice = await sepaso.expect(warning, {})
    assert notice["reply_to_message"]["message_id"] == card["message_id"]
    await coordinator.expect(warning, {})
    assert "undeliverable" in await event_kinds(database_url)
    listed = await coordinator.send("/gagal", "gagal terkirim:")
    assert listed["text"].startswith("⚠️ 1 pesan terakhir yang gagal terkirim:")
    assert f"• Laporan {number}: " in listed["text"]
    assert "blocked" in listed["text"]


async def test_the_citizens_reply_button_sends_text_and_photo_under_the_card(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    number, _ = await scenario.file()
    await scenario.verify(number)
    card = await card_in(sepaso, number)

    ask = await siti.press("✍️ Balas / tambah info", "Silakan tulis jawaban")
    assert number in ask["text"]
    assert "Anda juga bisa mengirim foto" in ask["text"]
    before = await sepaso.snapshot()
    # Telegram sends a text and a photo without caption as two messages: both reach the desa.
    thanks = await siti.send("Tumpukannya makin tinggi hari ini, ini fotonya.", "diteruskan")
    assert thanks["text"] == f"✅ Pesan Anda untuk laporan {number} sudah diteruskan ke petugas."
    relayed = await sepaso.expect("Pesan dari pelapor", before)
    assert "Tumpukannya makin tinggi hari ini, ini fotonya." in relayed["text"]
    assert relayed["reply_to_message"]["message_id"] == card["message_id"]
    photo = b"\xff\xd8\xff\xe0 tumpukan baru" * 30
    # The photo that follows the text is the same burst: the citizen was told once already.
    told = len([t for t in await siti.texts() if "diteruskan ke petugas" in t])
    await sepaso.do(lambda: telegram.send_photo(SITI, photo), "")
    await settle()
    assert len([t for t in await siti.texts() if "diteruskan ke petugas" in t]) == told
    photos = [
        m
        for m in await sepaso.messages()
        if m.get("photo") and before.get(int(m["message_id"])) is None
    ]
    assert len(photos) == 1
    assert photos[0]["reply_to_message"]["message_id"] == card["message_id"]
    sent = await telegram.download(
        (await telegram.call("getFile", file_id=photos[0]["photo"][-1]["file_id"]))["result"][
            "file_path"
        ]
    )
    assert sent == photo
    assert all("Laporan baru" not in text for text in (await siti.texts())[-2:])
    assert await event_kinds(database_url) == [
        "submitted",
        "routed",
        "vf",
        "reporter_info",
        "reporter_info",
    ]
    [report] = await store.reports()
    assert report.status == "didisposisi"
