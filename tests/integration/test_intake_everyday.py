"""The intake as people really use it: a desa typed where a kecamatan is asked, Cancel pressed
by mistake, a photo sent too early or not at all, the location keyboard left behind, English."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from handlers.actions import RemoveKeyboard, ReplyKeyboard, action_from_dict
from handlers.app import Conversations
from storage.models import Conversation, Report, ReportPhoto
from tests.integration.conversation_driver import Driver, buttons, texts
from tests.integration.test_intake import USER, consent, count, to_step


@pytest.fixture
async def driver(database_url: str) -> AsyncIterator[Driver]:
    d = Driver(database_url)
    await d.start()
    yield d
    await d.close()


async def stored_draft(d: Driver) -> dict[str, Any]:
    async with d.factory() as session:
        conversation = await session.scalar(select(Conversation))
    assert conversation is not None
    return dict(conversation.draft)


def button_with(actions: list[dict[str, Any]], *parts: str) -> str:
    """The data of the one button whose label holds every one of ``parts``."""
    found = [data for label, data in buttons(actions).items() if all(p in label for p in parts)]
    assert len(found) == 1, (parts, list(buttons(actions)))
    return found[0]


# --- a place name typed at any place step is searched in the whole kabupaten ----------------


async def test_a_desa_typed_at_the_kecamatan_step_is_confirmed_with_its_kecamatan(
    driver: Driver,
) -> None:
    await consent(driver)
    await to_step(driver, "kecamatan")
    asked = await driver.text(USER, "sepaso")
    assert "Desa Sepaso, Kec. Bengalon — benar?" in texts(asked)[-1]
    assert "Tidak ada nama yang mirip" not in texts(asked)[-1]
    address = await driver.press_data(USER, button_with(asked, "Sepaso", "Bengalon"))
    # Both are filled and the desa step is skipped.
    assert "Tulis detail alamat" in texts(address)[-1]
    assert "📍 Desa Sepaso, Kec. Bengalon" in texts(address)[-1]
    draft = await stored_draft(driver)
    assert draft["kecamatan"] == "64.08.09"
    assert draft["desa"] == "64.08.09.2001"


async def test_a_desa_typo_at_the_kecamatan_step_offers_the_close_names_as_buttons(
    driver: Driver,
) -> None:
    await consent(driver)
    await to_step(driver, "kecamatan")
    several = await driver.text(USER, "sepas")
    assert "ada 4 tempat yang mirip" in texts(several)[-1]
    labels = [label for label in buttons(several) if "Sepaso" in label]
    assert len(labels) == 4, list(buttons(several))
    assert all("Kec. Bengalon" in label for label in labels), labels
    one = await driver.text(USER, "sepasso timor")
    assert "Desa Sepaso Timur, Kec. Bengalon — benar?" in texts(one)[-1]


async def test_a_desa_of_another_kecamatan_typed_at_the_desa_step_moves_both(
    driver: Driver,
) -> None:
    await consent(driver)
    await to_step(driver, "desa")  # in Kec. Bengalon
    asked = await driver.text(USER, "swarga bara")
    assert "Desa Swarga Bara, Kec. Sangatta Utara — benar?" in texts(asked)[-1]
    address = await driver.press_data(USER, button_with(asked, "Swarga Bara"))
    assert "📍 Desa Swarga Bara, Kec. Sangatta Utara" in texts(address)[-1]
    draft = await stored_draft(driver)
    assert draft["desa"].startswith(draft["kecamatan"] + ".")


# --- Cancel asks first once more than the first step is done --------------------------------


async def test_cancel_after_several_steps_asks_first_and_can_be_taken_back(
    driver: Driver,
) -> None:
    await consent(driver)
    screen = await to_step(driver, "description")
    asked = await driver.press_data(USER, screen["✖️ Batal"])
    assert "Batalkan laporan? Isian Anda akan hilang." in texts(asked)[-1]
    assert "dibatalkan" not in " ".join(texts(asked))
    assert (await stored_draft(driver))["step"] == "description"
    resumed = await driver.press_data(USER, buttons(asked)["Tidak, lanjutkan"])
    assert "Ceritakan masalahnya" in texts(resumed)[-1]
    typed = await driver.text(USER, "/batal")
    assert "Batalkan laporan?" in texts(typed)[-1]
    gone = await driver.press_data(USER, buttons(typed)["Ya, batalkan"])
    assert any("Laporan dibatalkan" in t for t in texts(gone))
    assert await stored_draft(driver) == {}


async def test_cancel_at_the_first_step_is_at_once(driver: Driver) -> None:
    await consent(driver)
    first = await to_step(driver, "type")
    cancelled = await driver.press_data(USER, first["✖️ Batal"])
    assert any("Laporan dibatalkan" in t for t in texts(cancelled))
    assert await stored_draft(driver) == {}


# --- photos: kept when early, "no photo" said and filed, the category's rule a setting -------


async def test_a_photo_sent_at_the_description_step_is_kept_for_the_photo_step(
    driver: Driver,
) -> None:
    await consent(driver)
    await to_step(driver, "description")
    kept = await driver.photos(USER, 1)
    assert "Foto disimpan, akan dilampirkan" in " ".join(texts(kept))
    photos = await driver.text(USER, "Air PDAM mati total sejak tiga hari di RT 05.")
    assert "📷 Foto diterima: 1/5." in texts(photos)[-1]
    b = buttons(await driver.press_data(USER, buttons(photos)["✅ Selesai (1 foto)"]))
    b = buttons(await driver.press_data(USER, b["Biasa"]))
    await driver.press_data(USER, b["📨 Kirim laporan"])
    assert await count(driver, ReportPhoto) == 1


async def walk_road_report_to_photos(d: Driver) -> dict[str, str]:
    b = buttons(await d.text(USER, "📝 Laporan baru"))
    b = buttons(await d.press_data(USER, b["Pengaduan"]))
    b = buttons(await d.press_data(USER, b["Jalan & Jembatan"]))
    b = buttons(await d.text(USER, "Sepaso Timur"))  # a desa typed at the kecamatan step
    b = buttons(await d.press_data(USER, button_with_data(b, "Sepaso Timur")))
    await d.press_data(USER, b["Lewati ➡️"])
    await d.text(USER, "Lewati lokasi ➡️")
    return buttons(await d.text(USER, "Jalan berlubang besar di depan masjid, motor jatuh."))


def button_with_data(found: dict[str, str], part: str) -> str:
    return next(data for label, data in found.items() if part in label)


async def test_a_citizen_without_a_photo_says_so_and_files_a_road_report(
    driver: Driver,
) -> None:
    await consent(driver)
    photos = await walk_road_report_to_photos(driver)
    b = buttons(await driver.press_data(USER, photos["🚫 Saya tidak punya foto"]))
    b = buttons(await driver.press_data(USER, b["Biasa"]))
    sent = await driver.press_data(USER, b["📨 Kirim laporan"])
    assert "Nomor laporan:" in texts(sent)[-1]
    assert await count(driver, Report) == 1
    assert await count(driver, ReportPhoto) == 0


async def test_the_categorys_photo_rule_is_a_setting(driver: Driver) -> None:
    deps = driver.conversations.deps
    strict = replace(deps.config, category_photos_required=True)
    driver.conversations = Conversations(replace(deps, config=strict))
    await consent(driver)
    photos = await walk_road_report_to_photos(driver)
    assert "🚫 Saya tidak punya foto" not in photos
    assert "Lewati ➡️" not in photos


# --- the location keyboard goes once its step is left ---------------------------------------


def reply_markups(actions: list[dict[str, Any]]) -> list[object]:
    found: list[object] = []
    for payload in actions:
        markup = getattr(action_from_dict(payload), "markup", None)
        if isinstance(markup, ReplyKeyboard | RemoveKeyboard):
            found.append(markup)
    return found


async def test_leaving_the_location_step_removes_its_keyboard(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "description")  # left by "Lewati lokasi ➡️"
    back = await driver.text(USER, "⬅️ Kembali")
    assert isinstance(reply_markups(back)[-1], ReplyKeyboard)
    saved = await driver.location(USER, 0.51234, 117.60021)
    assert reply_markups(saved) == [RemoveKeyboard()]
    assert "Ceritakan masalahnya" in texts(saved)[-1]
    assert "⬅️ Kembali" in buttons(saved)
    await driver.text(USER, "⬅️ Kembali")
    address = await driver.text(USER, "⬅️ Kembali")  # back to the address step
    assert reply_markups(address) == [RemoveKeyboard()]
    assert "Tulis detail alamat" in texts(address)[-1]


# --- English: one photo is "1 photo" -----------------------------------------------------------


async def test_one_photo_is_singular_in_english(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "description")
    choice = buttons(await driver.text(USER, "🌐 Bahasa"))
    await driver.press_data(USER, choice["🇬🇧 English"])
    await driver.text(USER, "Air PDAM mati total sejak tiga hari di RT 05.")
    one = await driver.photos(USER, 1)
    assert "✅ Done (1 photo)" in buttons(one)
    two = await driver.photos(USER, 1)
    assert "✅ Done (2 photos)" in buttons(two)
