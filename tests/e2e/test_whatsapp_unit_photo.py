"""A unit's photo reaches a citizen on WhatsApp (issue 30): the officer replies to the card with
a photo in the Telegram group; the bot downloads it, keeps a cleaned copy, uploads that through
the Cloud API once and sends it as an image, the unit's words with it. Both frameworks."""

from __future__ import annotations

from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp
from storage.media_store import clean_image
from tests.e2e import test_whatsapp_citizen as wa
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import Scenario
from tests.e2e.test_whatsapp_citizen import NAME, WA_ID, file_on_whatsapp
from tests.e2e.units import KADES, card_in
from tests.images import jpeg_with_identity
from tests.whatsapp.citizen import WaCitizen

# The WhatsApp citizen's fixtures: the loopback fake Graph API and the bot talking to it.
fake = wa.fake
wa_bot = wa.wa_bot


async def test_the_officers_photo_reaches_the_whatsapp_citizen_cleaned(
    wa_bot: RunningBot,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    citizen = WaCitizen(fake, WA_ID, NAME)
    number = await file_on_whatsapp(citizen)
    await card_in(scenario.desa, number)
    after = len(fake.sent)
    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=scenario.desa.chat_id)
    await citizen.expect("sudah diverifikasi", after)
    card = await card_in(scenario.desa, number, showing="Sudah diverifikasi")

    photo = jpeg_with_identity()  # EXIF with a position and an owner's name
    words = "Tumpukan sampah sudah kami angkat, ini fotonya."
    after = len(fake.sent)
    await telegram.send_photo(
        KADES,
        photo,
        caption=words,
        chat_id=scenario.desa.chat_id,
        reply_to=int(card["message_id"]),
    )
    await citizen.expect(words, after)
    image = await fake.wait_sent(
        lambda m: m.get("to") == WA_ID and m.get("type") == "image", after=after
    )
    cleaned = clean_image(photo)
    assert cleaned is not None
    assert fake.media[image["image"]["id"]][0] == cleaned.content
    assert len(fake.uploads) == 1
    assert fake.refused == []
