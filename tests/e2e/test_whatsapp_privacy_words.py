"""What a WhatsApp citizen is told about their data names WhatsApp, not Telegram (issue 30): the
privacy notice before consent and the /dataku screen speak of the account the citizen uses."""

from __future__ import annotations

from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import Scenario
from tests.e2e.test_whatsapp_citizen import NAME, WA_ID, fake, wa_bot
from tests.whatsapp.citizen import WaCitizen, text_of

__all__ = ["fake", "wa_bot"]  # the fixtures this module's test uses


async def test_the_privacy_notice_and_dataku_name_whatsapp(
    wa_bot: RunningBot,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    await Scenario.start(telegram, database_url, chat_of, consent=False)
    citizen = WaCitizen(fake, WA_ID, NAME)
    notice = text_of(await citizen.send("Halo", "Apakah Anda setuju?"))
    assert "nomor WhatsApp Anda" in notice, notice
    assert "Telegram" not in notice, notice

    await citizen.press("✅ Saya setuju", "Silakan pilih menu")
    held = text_of(await citizen.send("/dataku", "Data Anda yang kami simpan"))
    assert "Telegram" not in held, held
    # Her own number, shown to her only, masked as everywhere else it is written.
    assert "Nomor WhatsApp:" in held, held
    assert WA_ID not in held, held
    assert WA_ID[-4:] in held, held
