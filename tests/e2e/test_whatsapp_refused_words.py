"""A message to a WhatsApp reporter that Meta refuses when it is sent (issue 30): the unit's group
is told it failed on WhatsApp, the channel the citizen uses, not "ditolak oleh Telegram"."""

from __future__ import annotations

from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import Scenario
from tests.e2e.test_whatsapp_citizen import NAME, WA_ID, fake, file_on_whatsapp, wa_bot
from tests.e2e.units import KADES, card_in
from tests.whatsapp.citizen import WaCitizen

__all__ = ["fake", "wa_bot"]  # the fixtures this module's test uses


async def test_a_refused_whatsapp_send_names_whatsapp_in_the_units_group(
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
    # From now on Meta refuses every message to her (a permanent error, not the 24-hour window).
    fake.refuse_to[WA_ID] = (131030, "Recipient phone number not in allowed list")
    before = await scenario.desa.snapshot()
    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=scenario.desa.chat_id)
    told = await scenario.desa.expect("belum sampai ke pelapor", before)
    text = str(told.get("text", ""))
    assert number in text
    assert "WhatsApp" in text
    assert "Telegram" not in text
    for secret in (WA_ID, NAME):
        assert secret not in text
