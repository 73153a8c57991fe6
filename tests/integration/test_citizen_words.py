"""What a citizen types outside the buttons is understood (issue 26, items 2, 4 and 8): a tracking
number anywhere, a second try at Cek status, an opening sentence, and a message on a closed report.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.callbacks import sign_callback
from core.lifecycle import ReportStatus
from core.purposes import Purpose
from core.timeline import EventKind
from handlers import draft as drafts
from storage.models import Conversation, OutboxMessage, Report, ReportEvent
from tests.integration.conversation_driver import Driver, buttons, texts
from tests.integration.test_intake import USER, consent, to_step

STRANGER = 7007
OPENING = "Halo, saya mau lapor jalan rusak di depan SD 003"


@pytest.fixture
async def driver(database_url: str) -> AsyncIterator[Driver]:
    d = Driver(database_url)
    await d.start()
    yield d
    await d.close()


async def file_report(d: Driver) -> str:
    """A report filed by USER through the chat; its tracking number."""
    await consent(d)
    b = await to_step(d, "photos")
    b = buttons(await d.press_data(USER, b["Lewati ➡️"]))
    b = buttons(await d.press_data(USER, b["Biasa"]))
    sent = await d.press_data(USER, b["📨 Kirim laporan"])
    return texts(sent)[-1].split("Nomor laporan: ")[1].split("\n")[0]


async def report_of(d: Driver, number: str) -> Report:
    async with d.factory() as session:
        report = await session.scalar(select(Report).where(Report.tracking_no == number))
        assert report is not None
        return report


async def draft_of(d: Driver, user: int = USER) -> drafts.Draft:
    async with d.factory() as session:
        conv = await session.scalar(select(Conversation).where(Conversation.chat_id == str(user)))
        assert conv is not None
        return drafts.parse(conv.draft)


def mistyped(number: str) -> str:
    return number[:-1] + ("2" if number[-1] != "2" else "3")


# --- item 2: a tracking number wherever it is typed ----------------------------------------------


async def test_a_tracking_number_typed_without_cek_status_shows_the_report(driver: Driver) -> None:
    number = await file_report(driver)
    typed = number.lower().replace("-", " ")
    own = texts(await driver.text(USER, typed))
    assert len(own) == 1
    assert "Riwayat:" in own[0]
    assert number in own[0]
    assert "laporan mana" not in own[0]
    await consent(driver, STRANGER)
    other = texts(await driver.text(STRANGER, number.replace("-", "")))
    assert other == [f"Laporan {number} tidak ditemukan, atau bukan laporan Anda."]


async def test_a_mistyped_number_typed_outside_cek_status_is_called_a_typo(
    driver: Driver,
) -> None:
    number = await file_report(driver)
    said = texts(await driver.text(USER, mistyped(number)))
    assert len(said) == 1
    assert "salah ketik" in said[0]


async def test_after_a_mistyped_number_at_cek_status_the_next_try_is_taken(
    driver: Driver,
) -> None:
    number = await file_report(driver)
    asked = texts(await driver.text(USER, "🔎 Cek status"))
    assert "Ketik nomor laporan" in asked[0]
    wrong = texts(await driver.text(USER, mistyped(number)))
    assert "salah ketik" in wrong[0]
    not_a_number = texts(await driver.text(USER, "nomornya yang mana ya"))
    assert "bukan format nomor laporan" in not_a_number[0]
    right = texts(await driver.text(USER, number))
    assert "Riwayat:" in right[0]
    # The prompt closes with the valid number: the next words are not read as a number.
    after = texts(await driver.text(USER, "terima kasih"))
    assert all("nomor laporan" not in t for t in after)


async def test_the_cek_status_prompt_closes_with_batal(driver: Driver) -> None:
    number = await file_report(driver)
    await driver.text(USER, "🔎 Cek status")
    await driver.text(USER, mistyped(number))
    await driver.text(USER, "/batal")
    after = texts(await driver.text(USER, "xyz"))
    assert all("bukan format nomor laporan" not in t for t in after)


# --- item 4: an opening sentence starts a report --------------------------------------------------


async def test_an_opening_sentence_starts_a_report_after_consent_with_its_words(
    driver: Driver,
) -> None:
    first = await driver.text(USER, OPENING)
    agree = buttons(first)["✅ Saya setuju"]
    assert "Pemberitahuan privasi" in texts(first)[0]
    step1 = await driver.press_data(USER, agree)
    assert "Pengaduan" in buttons(step1)
    b = await walk_to_description(driver, buttons(step1))
    assert "✅ Gunakan teks ini" in b
    photos = await driver.press_data(USER, b["✅ Gunakan teks ini"])
    assert "Lewati ➡️" in buttons(photos)
    assert (await draft_of(driver)).description == OPENING


async def test_the_offered_words_can_be_typed_anew(driver: Driver) -> None:
    await consent(driver)
    step1 = await driver.text(USER, OPENING)
    b = await walk_to_description(driver, buttons(step1))
    assert "✅ Gunakan teks ini" in b
    await driver.text(USER, "Jalan berlubang besar di depan SD 003, sudah dua minggu.")
    assert (await draft_of(driver)).description.startswith("Jalan berlubang besar")


async def walk_to_description(d: Driver, b: dict[str, str]) -> dict[str, str]:
    """From step 1's buttons to the description step's (the screen's text is checked too)."""
    b = buttons(await d.press_data(USER, b["Pengaduan"]))
    b = buttons(await d.press_data(USER, b["Air Bersih"]))
    b = buttons(await d.press_data(USER, b["Bengalon"]))
    b = buttons(await d.press_data(USER, next(iter(b.values()))))
    await d.press_data(USER, b["Lewati ➡️"])
    shown = await d.text(USER, "Lewati lokasi ➡️")
    assert any(OPENING in t for t in texts(shown)), texts(shown)
    return buttons(shown)


async def test_declining_consent_erases_the_waiting_words(driver: Driver) -> None:
    first = await driver.text(USER, OPENING)
    assert (await draft_of(driver)).description == OPENING
    await driver.press_data(USER, buttons(first)["Tidak setuju"])
    assert (await draft_of(driver)).description == ""


async def test_an_opening_sentence_with_an_open_report_is_asked_about_then_kept(
    driver: Driver,
) -> None:
    await file_report(driver)
    which = await driver.text(USER, OPENING)
    assert "laporan mana" in texts(which)[0]
    step1 = await driver.press_data(USER, buttons(which)["📝 Buat laporan baru"])
    b = await walk_to_description(driver, buttons(step1))
    assert "✅ Gunakan teks ini" in b


@pytest.mark.parametrize("greeting", ["halo", "Pagi", "Selamat pagi pak", "terima kasih"])
async def test_greetings_alone_get_the_menu(driver: Driver, greeting: str) -> None:
    await consent(driver)
    said = texts(await driver.text(USER, greeting))
    assert said == ["Silakan pilih menu di bawah, atau ketik /bantuan."]
    assert not (await draft_of(driver)).in_intake


# --- item 8: a message on a closed report ---------------------------------------------------------


async def close_report(d: Driver, number: str, *, for_good: bool) -> int:
    async with d.factory() as session:
        report = await session.scalar(select(Report).where(Report.tracking_no == number))
        assert report is not None
        report.status = ReportStatus.SELESAI
        report.selesai_at = d.clock.now
        if for_good:
            report.closed_at = d.clock.now + timedelta(minutes=1)
        await session.commit()
        return report.id


async def relays_out(d: Driver) -> int:
    async with d.factory() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.purpose == Purpose.RELAY)
        )
        return len(list(rows))


async def kinds_of(d: Driver, report_id: int) -> list[str]:
    async with d.factory() as session:
        rows = await session.scalars(
            select(ReportEvent.kind).where(ReportEvent.report_id == report_id)
        )
        return list(rows)


async def test_a_message_on_a_report_closed_for_good_is_not_passed_on(driver: Driver) -> None:
    number = await file_report(driver)
    report_id = await close_report(driver, number, for_good=True)
    before = await relays_out(driver)
    await driver.press_data(USER, sign_callback(f"g:0:fu:{report_id}", b"test"))
    said = await driver.text(USER, "Jalannya masih rusak, belum diperbaiki sama sekali.")
    words = "\n".join(texts(said))
    assert "diteruskan ke petugas" not in words
    assert "sudah ditutup" in words
    assert number in words
    assert await relays_out(driver) == before
    assert EventKind.REPORTER_INFO not in await kinds_of(driver, report_id)
    new = buttons(said)
    assert list(new) == ["📝 Buat laporan baru"]
    step1 = await driver.press_data(USER, new["📝 Buat laporan baru"])
    assert "Pengaduan" in buttons(step1)
    assert (await draft_of(driver)).description.startswith("Jalannya masih rusak")


async def test_a_message_on_a_finished_report_reaches_the_unit_and_offers_reopening(
    driver: Driver,
) -> None:
    number = await file_report(driver)
    report_id = await close_report(driver, number, for_good=False)
    await driver.press_data(USER, sign_callback(f"g:0:fu:{report_id}", b"test"))
    said = await driver.text(USER, "Jalannya masih rusak, belum diperbaiki sama sekali.")
    words = "\n".join(texts(said))
    assert "sudah dinyatakan selesai" in words
    # The unit still holds it: the words are passed on (its quiet period starts again).
    assert EventKind.REPORTER_INFO in await kinds_of(driver, report_id)
    offered = buttons(said)
    assert list(offered) == ["👎 Belum selesai"]
    reopened = await driver.press_data(USER, offered["👎 Belum selesai"])
    assert any("buka kembali" in t for t in texts(reopened)), texts(reopened)
    assert (await report_of(driver, number)).status == ReportStatus.DIPROSES


async def test_a_message_on_an_archived_report_offers_a_new_one(driver: Driver) -> None:
    number = await file_report(driver)
    async with driver.factory() as session:
        report = await session.scalar(select(Report).where(Report.tracking_no == number))
        assert report is not None
        report.status = ReportStatus.DIARSIPKAN
        report_id = report.id
        await session.commit()
    before = await relays_out(driver)
    await driver.press_data(USER, sign_callback(f"g:0:fu:{report_id}", b"test"))
    said = await driver.text(USER, "Jalannya masih rusak, belum diperbaiki sama sekali.")
    assert "sudah diarsipkan" in "\n".join(texts(said))
    assert list(buttons(said)) == ["📝 Buat laporan baru"]
    assert await relays_out(driver) == before
