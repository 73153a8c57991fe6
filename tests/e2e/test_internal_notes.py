"""Internal notes end to end, on both frameworks: the real bot against the emulator. A member
of the desa's group presses "📝 Catatan internal" and replies to its prompt; the admin replies to
the card with "#catatan …"; the card counts the notes; the citizen receives nothing of them, and
their 🔎 status does not list them. Each note carries a word nobody else writes."""

from __future__ import annotations

from emulator import EmulatorClient
from tests.e2e.conftest import RunningBot, Settle
from tests.e2e.helpers import ChatOf, labels
from tests.e2e.scenario import Scenario
from tests.e2e.units import BACK, SEPASO_GROUP, STAF_DESA, card_in, more_of, reply

WORD = "Zirkonium"


async def test_notes_by_button_and_by_marker_stay_inside_the_unit(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    guide = next(m for m in await sepaso.messages() if "Panduan petugas" in str(m.get("text")))
    assert "📝 Catatan internal" in guide["text"]  # the pinned guide names the button
    assert "balas kartu: #catatan" in guide["text"]  # and the marker
    number, card = await scenario.file()
    assert "📝 Catatan internal" in labels(await more_of(sepaso, number))
    await sepaso.press(BACK, number)
    await scenario.verify(number)
    await settle()
    heard_before = len(await siti.messages())

    # A member presses the button; the prompt takes the note.
    await more_of(sepaso, number, user=STAF_DESA)
    prompt = await sepaso.do(
        lambda: telegram.press_button(STAF_DESA, "📝 Catatan internal", chat_id=SEPASO_GROUP),
        "balas pesan ini dengan catatan internal",
    )
    saved = await sepaso.do(
        lambda: telegram.send_text(
            STAF_DESA,
            f"Sudah dicek lapangan {WORD}",
            chat_id=SEPASO_GROUP,
            reply_to=int(prompt["message_id"]),
        ),
        "Catatan internal laporan",
    )
    assert "tersimpan" in saved["text"]
    await card_in(sepaso, number, showing="📝 1 catatan internal")

    # The admin replies to the card with the marker.
    card = await card_in(sepaso, number)
    await reply(
        sepaso, card, f"#catatan tunggu anggaran {WORD}", expect_in=sepaso, expect="tersimpan"
    )
    await card_in(sepaso, number, showing="📝 2 catatan internal")

    await settle()
    got = await siti.messages()
    assert len(got) == heard_before  # the citizen was sent nothing for either note
    status = await siti.send(f"/status {number}", "Riwayat")
    assert WORD not in status["text"]
    assert "Catatan internal" not in status["text"]
