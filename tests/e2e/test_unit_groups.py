"""Units answer in their group chats: the whole loop through the emulator with the real bot."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from sqlalchemy import select

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from storage.db import create_engine, session_factory
from storage.models import MessageLink, ReportEvent, Unit
from storage.uow import UnitOfWork
from tests.e2e.conftest import RunningBot, Settle, Store
from tests.e2e.helpers import SITI, labels
from tests.e2e.scenario import FORWARDED, Scenario
from tests.e2e.units import (
    BACK,
    KADES,
    MORE,
    PUPR,
    PUPR_GROUP,
    PUPR_NAME,
    SEPASO_GROUP,
    card_in,
    more_of,
    reply,
)

ChatOf = Callable[[TgUser], ChatView]


async def _events(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            rows = await uow.session.scalars(select(ReportEvent).order_by(ReportEvent.id))
            return [row.kind for row in rows]
    finally:
        await engine.dispose()


async def test_the_whole_loop_from_citizen_to_desa_to_pupr_and_back(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    coordinator, sepaso, pupr = scenario.coordinator, scenario.desa, scenario.pupr
    guide = [m for m in await sepaso.messages() if "Panduan petugas" in str(m.get("text"))]
    assert guide, "the officers' guide is posted in the group"
    await settle()
    assert await telegram.pinned(SEPASO_GROUP) == [guide[0]["message_id"]]

    siti = scenario.citizen
    await siti.consent()
    # The card reaches the desa group with its photo, and the coordinator sees it too.
    number, card = await scenario.file()
    for line in ("Sampah & Lingkungan · Pengaduan", "Sepaso, Kec. Bengalon", "Pelapor: Siti"):
        assert line in card["text"], line
    assert labels(card) == ["✅ Verifikasi", "↪️ Alihkan", MORE]
    assert labels(await more_of(sepaso, number)) == [
        "↗ Bukan kewenangan",
        "🗄 Arsipkan",
        "📝 Catatan internal",
        "🏷 Ubah kategori",
        "👤 Tugaskan",
        "🙋 Saya tangani",
        BACK,
    ]
    await sepaso.press(BACK, number)
    # The photo comes just before the card, captioned with the number, so that the card and
    # its buttons are the last thing on the officers' screen.
    photo = next(m for m in await sepaso.messages() if m.get("photo"))
    assert number in str(photo.get("caption"))
    assert int(photo["message_id"]) < int(card["message_id"])
    await coordinator.expect(f"📋 Laporan {number}", {})

    # Verify: the citizen hears which unit has it; the card shows the new state.
    notice = await scenario.verify(number)
    assert "sudah diverifikasi dan diteruskan ke" in notice["text"]
    card = await card_in(sepaso, number, showing=FORWARDED)
    assert "❓ Minta info" in labels(card)

    # Ask: the prompt is answered by a reply; the question reaches the citizen.
    # The prompt is answered by the officer who opened it (here the village head).
    question = await scenario.ask("Di RT berapa tepatnya, dan sejak kapan?")
    assert "membutuhkan informasi tambahan" in question["text"]
    [report] = await store.reports()
    assert report.status == "menunggu_pelapor"

    # The citizen answers by replying; it lands in the desa group as a reply to the card.
    relayed = await scenario.answer(question, "RT 05, sejak awal bulan.")
    assert relayed["reply_to_message"]["message_id"] == card["message_id"]
    [report] = await store.reports()
    assert report.status == "didisposisi"

    # The officer replies to the card with a photo: the citizen gets the photo and the answer.
    answer = await siti.do(
        lambda: telegram.send_photo(
            KADES,
            b"\xff\xd8\xff\xe0 petugas datang" * 20,
            caption="Petugas kebersihan dijadwalkan besok pagi.",
            chat_id=SEPASO_GROUP,
            reply_to=int(card["message_id"]),
        ),
        "Petugas kebersihan dijadwalkan besok pagi.",
    )
    assert "Jawaban Desa Sepaso untuk laporan" in answer["text"]
    assert "Pak Kades" not in answer["text"]  # the officer's own name only if the unit says so
    assert any(m.get("photo") for m in await siti.messages())
    [report] = await store.reports()
    assert report.status == "diproses"

    # Transfer to Dinas PUPR: the card moves; the citizen is told.
    await more_of(sepaso, number)
    await sepaso.press("↪️ Alihkan", "Alihkan ke unit mana?")
    reason_prompt = await sepaso.press(PUPR_NAME[:40], "alasan pengalihan")
    moved = await reply(
        sepaso,
        reason_prompt,
        "Sampah menutup drainase jalan kabupaten.",
        expect_in=sepaso,
        expect="Dialihkan ke",
    )
    assert moved["message_id"] == card["message_id"]
    assert labels(moved) == []
    notice = await siti.expect("dialihkan ke", {})
    assert PUPR_NAME in notice["text"]
    pupr_card = await pupr.expect(f"📋 Laporan {number}", {})
    assert "✅ Verifikasi" not in labels(pupr_card)  # already verified: PUPR follows up

    # PUPR finishes; the citizen confirms and rates.
    done_prompt = await pupr.press("🏁 Selesai", "jawaban akhir")
    done = await reply(
        pupr,
        done_prompt,
        "Drainase sudah dibersihkan dan sampah diangkut.",
        expect_in=siti,
        expect="sudah selesai",
    )
    assert labels(done) == ["👍 Sudah selesai", "👎 Belum selesai"]
    await siti.press("👍 Sudah selesai", "Seberapa puas")
    await pupr.do(lambda: telegram.press_button(SITI, "⭐⭐⭐⭐⭐"), "memberi nilai 5/5")
    await siti.send("Cepat sekali, terima kasih!", "Terima kasih. Masukan Anda")

    [report] = await store.reports()
    assert (report.status, report.rating) == ("selesai", 5)
    assert report.rating_comment == "Cepat sekali, terima kasih!"
    kinds = await _events(database_url)
    assert kinds == [
        "submitted",
        "routed",
        "vf",
        "ask",
        "reporter_answer",
        "ans",
        "tr",
        "done",
        "confirmed",
        "rated",
        "rating_comment",
    ]
    # The citizen's status shows the timeline in their words.
    status = await siti.send(f"/status {number}", "Riwayat")
    for step in ("Diverifikasi", "Dialihkan", "Dinyatakan selesai", "Pelapor memberi nilai"):
        assert step in status["text"], step


async def test_a_desa_without_group_falls_back_to_the_coordinator(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, desa=False)
    coordinator, sepaso = scenario.coordinator, scenario.desa
    number, card = await scenario.file(to=coordinator)
    assert "✅ Verifikasi" in labels(card)
    assert await sepaso.messages() == [] or all(number not in t for t in await sepaso.texts())
    [report] = await store.reports()
    engine = create_engine(database_url)
    async with UnitOfWork(session_factory(engine)) as uow:
        holder = await uow.session.get(Unit, report.unit_id)
        assert holder is not None
        assert holder.kind == "coordinator"
    await engine.dispose()
    assert "routed_fallback" in await _events(database_url)


async def test_an_anonymous_reporter_appears_in_no_group_message(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    settle: Settle,
) -> None:
    caplog.set_level(logging.INFO)
    hidden = TgUser(id=7770001, first_name="Rahmat", last_name="Hidayat", username="rahmat_kutim")
    scenario = await Scenario.start(telegram, database_url, chat_of, citizen=hidden)
    coordinator, sepaso = scenario.coordinator, scenario.desa
    number, card = await scenario.file(privacy="Anonim")
    assert "Pelapor: disembunyikan (anonim)" in card["text"]
    notice = await scenario.verify(number)
    await scenario.answer(notice, "Tambahan: ada foto lain menyusul.")
    await settle()
    for group in (sepaso, coordinator):
        for message in await group.messages():
            text = str(message.get("text") or message.get("caption") or "")
            for secret in ("Rahmat", "Hidayat", "rahmat_kutim", str(hidden.id)):
                assert secret not in text, (group.chat_id, secret, text)
    # The bot runs in this process: its log lines are in the capture.
    assert caplog.records, "the bot's log lines are captured"
    for secret in ("Rahmat", "rahmat_kutim", str(hidden.id)):
        assert secret not in caplog.text


async def test_forged_and_foreign_buttons_are_refused(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    pupr = scenario.pupr
    number, card = await scenario.file()
    verify_data = next(
        b["callback_data"]
        for row in card["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "✅ Verifikasi"
    )
    # An officer of PUPR presses the desa card's button (e.g. on a forwarded copy).
    pupr_message = (await pupr.messages())[-1]
    await telegram.press(
        PUPR, int(pupr_message["message_id"]), verify_data, chat_id=PUPR_GROUP, force=True
    )
    # Forged data in the desa group itself.
    await telegram.press(
        KADES, int(card["message_id"]), "u:1:vf|AAAAAAAA", chat_id=SEPASO_GROUP, force=True
    )
    await settle()
    answers = await telegram.callback_answers()
    texts = [str(a.get("text")) for a in answers]
    assert any("bukan milik unit grup ini" in t for t in texts), texts
    assert any("tidak dikenali" in t for t in texts), texts
    [report] = await store.reports()
    assert report.status == "baru"
    # The buttons still work for the right unit, once: a second press is refused as stale.
    await scenario.verify(number)
    await telegram.press(
        KADES, int(card["message_id"]), verify_data, chat_id=SEPASO_GROUP, force=True
    )
    await settle()
    texts = [str(a.get("text")) for a in await telegram.callback_answers()]
    assert any("sudah diverifikasi" in t for t in texts), texts
    engine = create_engine(database_url)
    async with UnitOfWork(session_factory(engine)) as uow:
        links = list(await uow.session.scalars(select(MessageLink)))
    await engine.dispose()
    assert any(link.purpose == "card" for link in links)
