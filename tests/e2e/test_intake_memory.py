"""The intake shows what was chosen, and asks which place when a typed name fits several.

Issue 17 (2): every screen of a new report begins with the choices so far (type, category, and the
place with its kind: "📍 Desa Sepaso, Kec. Bengalon"); a typed desa name that matches several
places well is asked about with buttons; an exact name is taken at once and confirmed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator import TgUser
from tests.e2e.helpers import ChatOf, labels, walk_to

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest itself
    from tests.e2e.conftest import RunningBot

SITI = TgUser(id=1001, first_name="Siti")


async def test_each_screen_begins_with_the_choices_so_far(
    running_bot: RunningBot, chat_of: ChatOf
) -> None:
    chat = chat_of(SITI)
    category = await walk_to(chat, "category", consent=True)
    assert category["text"].startswith("Pengaduan\n")
    desa = await walk_to(chat, "desa", start="category")
    assert desa["text"].startswith("Pengaduan · Air Bersih · 📍 Kec. Bengalon\n")
    address = await chat.press("Sepaso", "Tulis detail alamat")
    assert address["text"].startswith("Pengaduan · Air Bersih · 📍 Desa Sepaso, Kec. Bengalon\n")
    gps = await chat.press("Lewati ➡️", "Kirim titik lokasi")
    assert gps["text"].startswith("Pengaduan · Air Bersih · 📍 Desa Sepaso, Kec. Bengalon\n")


async def test_a_typed_name_that_fits_several_places_asks_which(
    running_bot: RunningBot, chat_of: ChatOf
) -> None:
    chat = chat_of(SITI)
    await walk_to(chat, "desa", consent=True)
    which = await chat.send("sepas", "Yang mana yang Anda maksud?")
    assert "Hasil untuk “sepas”: ada 4 tempat yang mirip." in which["text"]
    assert labels(which)[:4] == ["Sepaso", "Sepaso Barat", "Sepaso Timur", "Sepaso Selatan"]
    address = await chat.press("Sepaso Timur", "Tulis detail alamat")
    assert "📍 Desa Sepaso Timur, Kec. Bengalon" in address["text"]


async def test_an_exact_name_is_taken_at_once_and_confirmed(
    running_bot: RunningBot, chat_of: ChatOf
) -> None:
    chat = chat_of(SITI)
    await walk_to(chat, "desa", consent=True)
    address = await chat.send("desa sepaso", "Tulis detail alamat")
    assert address["text"].startswith("Pengaduan · Air Bersih · 📍 Desa Sepaso, Kec. Bengalon\n")
