"""A citizen's rights over their data in the chat (issue 29, docs/privacy.md): /dataku shows
what is held and sends a copy (text and JSON, a few a day), corrects the name and phone,
withdraws consent (then only the rights are answered) and removes the identity: at once from
closed reports, at closing from open ones, the roll-up unmoved and every request recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.models import (
    Citizen,
    DataRequest,
    PendingErasure,
    Report,
    ReportDay,
    ReportMonthCategory,
    ReportMonthDays,
)
from storage.rights import erased_reason
from tests.e2e.conftest import RunningBot, wait_until
from tests.e2e.helpers import SITI, ChatOf, JsonDict
from tests.e2e.scenario import Scenario
from tests.e2e.units import card_in, reply

DPO = "Ir. Bambang Setiawan, Diskominfo"
DPO_CONTACT = "ppid@kutaitimurkab.go.id"
STRANGER = TgUser(id=7770099, first_name="Orang", last_name="Asing", username="orang_asing")


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    return bot_settings.model_copy(update={"dpo_name": DPO, "dpo_contact": DPO_CONTACT})


async def _db(database_url: str, query: Any) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            return list((await session.execute(query)).all())
    finally:
        await engine.dispose()


async def _rows_are(database_url: str, query: Any, want: Any) -> None:
    """Wait (the tested :func:`wait_until`) until ``query``'s rows equal ``want``."""

    async def check() -> bool:
        return bool(await _db(database_url, query) == want)

    await wait_until(check)


def _documents(messages: list[JsonDict]) -> list[JsonDict]:
    return [m for m in messages if "document" in m]


async def _download(telegram: EmulatorClient, message: JsonDict) -> bytes:
    found = await telegram.call("getFile", file_id=message["document"]["file_id"])
    return await telegram.download(str(found["result"]["file_path"]))


async def test_a_citizen_sees_their_data_and_gets_a_copy_a_few_times_a_day(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    siti = scenario.citizen
    number, _ = await scenario.file()
    shown = await siti.send("/dataku", "Data Anda yang kami simpan")
    for words in ("Nama: Siti", "Laporan Anda: 1", "Foto bukti: 1", number, DPO, DPO_CONTACT):
        assert words in shown["text"], words
    assert "sesuai jadwal retensi arsip" in shown["text"]
    for copy in range(1, 4):
        await siti.telegram.press_button(siti.user, "📄 Kirim salinan data")
        await _wait_documents(siti, 2 * copy)
    text_file, json_file = _documents(await siti.messages())[-2:]
    assert json_file["document"]["file_name"].endswith(".json")
    data = json.loads(await _download(telegram, json_file))
    assert data["name"] == "Siti"
    assert [r["tracking_no"] for r in data["reports"]] == [number]
    assert data["data_protection_officer"] == {"name": DPO, "contact": DPO_CONTACT}
    readable = (await _download(telegram, text_file)).decode()
    assert f"Laporan {number}" in readable
    assert "Sampah menumpuk" in readable
    # A fourth copy within the day is refused politely, and recorded.
    await siti.telegram.press_button(siti.user, "📄 Kirim salinan data")
    limited = select(func.count()).where(DataRequest.outcome == "limited")
    await _rows_are(database_url, limited, [(1,)])
    assert len(_documents(await siti.messages())) == 6
    # A stranger pressing Siti's button in their own chat gets nothing of hers.
    stranger = chat_of(STRANGER)
    notice = await stranger.send("/start", "Apakah Anda setuju?")
    assert DPO in notice["text"]
    assert "/dataku" in notice["text"]
    [button] = [b for row in shown["reply_markup"]["inline_keyboard"] for b in row][:1]
    await telegram.press(STRANGER, int(notice["message_id"]), button["callback_data"], force=True)
    await stranger.send("/dataku", "Kami tidak menyimpan data pribadi apa pun tentang Anda.")
    assert _documents(await stranger.messages()) == []
    assert len(_documents(await siti.messages())) == 6


async def _wait_documents(siti: ChatView, count: int) -> None:
    async def check() -> bool:
        return len(_documents(await siti.messages())) >= count

    await wait_until(check)


async def _rollup(database_url: str) -> list[Any]:
    rows: list[Any] = []
    for table in (ReportDay, ReportMonthCategory, ReportMonthDays):
        query = select(*table.__table__.columns)
        rows += sorted(tuple(r) for r in await _db(database_url, query))
    return rows


async def _close(scenario: Scenario, number: str, answer: str) -> None:
    """The unit verifies and finishes ``number``; the citizen confirms: closed."""
    await scenario.verify(number)
    prompt = await scenario.desa.press("🏁 Selesai", "jawaban akhir")
    await reply(scenario.desa, prompt, answer, expect_in=scenario.citizen, expect=answer)
    await scenario.citizen.press("👍 Sudah selesai", "Seberapa puas")


async def _reporter_of(database_url: str, number: str) -> Citizen:
    query = select(Citizen).join(Report, Report.citizen_id == Citizen.id)
    [(citizen,)] = await _db(database_url, query.where(Report.tracking_no == number))
    assert isinstance(citizen, Citizen)
    return citizen


async def test_removal_takes_closed_reports_at_once_and_open_ones_when_they_close(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    siti = scenario.citizen
    closed, _ = await scenario.file()
    await _close(scenario, closed, "Sampah sudah diangkut.")
    still_open, _ = await scenario.file(description="Lampu jalan di depan masjid mati seminggu.")
    rollup = await _rollup(database_url)
    await siti.send("/dataku", "Data Anda yang kami simpan")
    explained = await siti.press("🗑 Hapus data saya", "Menghapus data Anda")
    assert closed in explained["text"]
    assert still_open in explained["text"]
    done = await siti.press("sembunyikan nama saya", "masih berjalan")
    assert f"dihapus dari laporan {closed}" in done["text"]
    assert erased_reason(await _reporter_of(database_url, closed)) == "request"
    assert (await _reporter_of(database_url, still_open)).name == "Siti"
    assert await _rollup(database_url) == rollup  # the statistics do not move
    # The unit no longer sees who filed the open one; the closed one's card says why.
    await card_in(scenario.desa, still_open, showing="Pelapor: disembunyikan (anonim)")
    await card_in(scenario.desa, closed, showing="dihapus atas permintaan")
    # Asking twice changes nothing more, and both requests are recorded.
    await siti.send("/dataku", "Data Anda yang kami simpan")
    await siti.press("🗑 Hapus data saya", "Menghapus data Anda")
    await siti.press("🗑 Ya, hapus", "masih berjalan")
    assert await _db(database_url, select(PendingErasure.report_id)) != []
    kinds = select(DataRequest.kind, DataRequest.outcome).where(DataRequest.kind == "erase")
    assert await _db(database_url, kinds) == [("erase", "pending"), ("erase", "pending")]
    # The officer answers after the request: the answer still reaches Siti; closing removes her.
    await _close(scenario, still_open, "Lampu sudah diganti.")
    await _rows_are(database_url, select(PendingErasure.report_id), [])
    assert erased_reason(await _reporter_of(database_url, still_open)) == "request"
    assert await _db(database_url, select(Citizen.id).where(Citizen.user_id == str(SITI.id))) == []
    await siti.send("/dataku", "Kami tidak menyimpan data pribadi apa pun tentang Anda.")


async def test_a_citizen_corrects_their_data_and_withdrawn_consent_leaves_only_the_rights(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    siti = scenario.citizen
    await siti.send("🔒 Data saya", "Data Anda yang kami simpan")  # the menu's button
    await siti.press("✏️ Perbaiki nama", "ketik nama Anda yang benar")
    await siti.send("Siti Rahmawati", "nama Anda sekarang: Siti Rahmawati")
    await siti.send("/dataku", "Data Anda yang kami simpan")
    await siti.press("📞 Perbaiki nomor telepon", "ketik nomor telepon")
    await siti.send("nomor saya", "tidak bisa kami baca")
    await siti.send("0812 3456 7890", "nomor telepon Anda sekarang: 0812 3456 7890")
    citizen = await _db(database_url, select(Citizen.name, Citizen.phone))
    assert citizen == [("Siti Rahmawati", "0812 3456 7890")]
    # Withdrawing consent: only the rights are answered until Siti agrees again.
    await siti.send("/dataku", "Data Anda yang kami simpan")
    await siti.press("✋ Tarik persetujuan", "Tarik persetujuan sekarang?")
    await siti.press("Ya, tarik persetujuan", "Persetujuan Anda sudah ditarik")
    await siti.send("📝 Laporan baru", "Anda sudah menarik persetujuan")
    await siti.send("/baru", "Anda sudah menarik persetujuan")
    shown = await siti.send("/dataku", "Data Anda yang kami simpan")
    assert "ditarik pada" in shown["text"]
    await siti.send("/start", "Apakah Anda setuju?")
    await siti.press("✅ Saya setuju", "Silakan pilih menu di bawah.")
    await siti.send("📝 Laporan baru", "Apa jenis laporan Anda?")
    kinds = select(DataRequest.kind).where(DataRequest.kind.not_in(["view"]))
    assert [k for (k,) in await _db(database_url, kinds.order_by(DataRequest.id))] == [
        "correct_name",
        "correct_phone",
        "withdraw",
        "consent_again",
    ]
