"""A redraw of the card keeps the screen its message shows, on both frameworks: an officer in
"⋯ Lainnya" stays there when a colleague's internal note redraws the card (its count changes);
back on the first screen, the next redraw keeps that one. An action pressed on the card still
brings it back to the first screen (tests/e2e/test_card_screens.py)."""

from __future__ import annotations

from emulator import EmulatorClient
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import ChatOf, labels
from tests.e2e.scenario import Scenario
from tests.e2e.test_card_screens import FIRST, OTHERS
from tests.e2e.units import BACK, SEPASO_GROUP, STAF_DESA, card_in, more_of


async def test_a_colleagues_note_does_not_take_the_officer_out_of_lainnya(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso = scenario.desa
    number, _ = await scenario.file()
    await scenario.verify(number)
    assert labels(await more_of(sepaso, number)) == OTHERS

    async def colleague_notes(word: str) -> None:
        card = await card_in(sepaso, number)
        await sepaso.do(
            lambda: telegram.send_text(
                STAF_DESA,
                f"#catatan {word}",
                chat_id=SEPASO_GROUP,
                reply_to=int(card["message_id"]),
            ),
            "tersimpan",
        )

    await colleague_notes("sudah dicek lapangan")
    noted = await card_in(sepaso, number, showing="📝 1 catatan internal")
    assert labels(noted) == OTHERS  # still where Pak Kades was

    back = await sepaso.press(BACK, number)
    assert labels(back) == FIRST
    await colleague_notes("tunggu anggaran")
    noted = await card_in(sepaso, number, showing="📝 2 catatan internal")
    assert labels(noted) == FIRST
