"""An officer's voice note or video replied to the card reaches the reporter, as their photos
do (issue 28's clips the whole way), on both frameworks through the emulator."""

from __future__ import annotations

from emulator import EmulatorClient
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import ChatOf, JsonDict, Until
from tests.e2e.scenario import Scenario
from tests.e2e.units import KADES, SEPASO_GROUP, card_in

VOICE = b"OggS\x00\x02" + b"\x00" * 400
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 600


async def test_an_officers_voice_note_and_video_replied_to_the_card_reach_the_reporter(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    until: Until,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    number, _ = await scenario.file()
    await scenario.verify(number)
    card = await card_in(scenario.desa, number)
    desa, siti = scenario.desa, scenario.citizen

    async def clips() -> list[JsonDict]:
        return [m for m in await siti.messages() if "voice" in m or "video" in m]

    await desa.do(
        lambda: telegram.send_voice(
            KADES, VOICE, chat_id=SEPASO_GROUP, reply_to=int(card["message_id"])
        ),
        f"Jawaban untuk laporan {number} diteruskan",
    )

    async def voice_arrived() -> bool:
        return any("voice" in m for m in await clips())

    await until(voice_arrived, 10)
    await desa.do(
        lambda: telegram.send_video(
            KADES, VIDEO, chat_id=SEPASO_GROUP, reply_to=int(card["message_id"])
        ),
        f"Jawaban untuk laporan {number} diteruskan",
    )

    async def video_arrived() -> bool:
        return any("video" in m for m in await clips())

    await until(video_arrived, 10)
    voice = next(m for m in await clips() if "voice" in m)
    assert voice["voice"]["mime_type"] == "audio/ogg"
