"""A follow-up held until the citizen says which report it is for keeps what its files are
(handlers/followup.py): an image a Telegram citizen sent as a file still reaches the unit as a
photo redrawn without metadata, never as the citizen's own file (security review, finding 2).
The WhatsApp side (a photo or clip held the same way) is in tests/e2e/test_whatsapp_clips.py."""

from __future__ import annotations

from emulator import EmulatorClient
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import SITI, ChatOf, JsonDict, Until
from tests.e2e.scenario import Scenario
from tests.e2e.units import SEPASO_GROUP
from tests.images import png_with_identity


async def test_an_image_file_held_for_a_report_reaches_the_unit_cleaned(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    until: Until,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    number, _ = await scenario.file()
    before = await telegram.messages(SEPASO_GROUP)

    async def send() -> None:
        await telegram.send_document(SITI, png_with_identity(), "Budi_Santoso_KTP.png", "image/png")

    await scenario.citizen.do(send, "laporan mana")
    await scenario.citizen.press(f"📄 {number}", number)

    async def new_files() -> list[JsonDict]:
        messages = (await telegram.messages(SEPASO_GROUP))[len(before) :]
        return [m for m in messages if "photo" in m or "document" in m]

    async def arrived() -> bool:
        return bool(await new_files())

    await until(arrived, 10)
    assert all("document" not in m for m in await new_files()), "the citizen's own file went on"
