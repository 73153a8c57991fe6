"""The card's buttons on two screens, on both frameworks: the daily actions first with
"⋯ Lainnya" (at most five buttons), the others behind it with "‹ Kembali"; an action pressed on
the second screen works as before and the card returns to the first; a press on a closed card's
old "⋯ Lainnya" and a forged one are refused politely and change nothing."""

from __future__ import annotations

from emulator import EmulatorClient
from tests.e2e.conftest import RunningBot, Settle, Store
from tests.e2e.helpers import ChatOf, callback_data, labels
from tests.e2e.scenario import Scenario
from tests.e2e.units import BACK, MORE, SEPASO_GROUP, STAF_DESA, card_in, more_of

FIRST = ["❓ Minta info", "💬 Jawab pelapor", "🔧 Tindak lanjut", "🏁 Selesai", MORE]
OTHERS = [
    "↪️ Alihkan",
    "↗ Bukan kewenangan",
    "🗄 Arsipkan",
    "📝 Catatan internal",
    "🏷 Ubah kategori",
    "👤 Tugaskan",
    "🙋 Saya tangani",
    BACK,
]


async def test_the_card_shows_daily_buttons_first_and_the_others_behind_lainnya(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso = scenario.desa
    number, card = await scenario.file()
    assert labels(card) == ["✅ Verifikasi", "↪️ Alihkan", MORE]
    await scenario.verify(number)
    card = await card_in(sepaso, number)
    assert labels(card) == FIRST
    assert len(labels(card)) <= 5

    shown = await more_of(sepaso, number)
    assert labels(shown) == OTHERS
    assert shown["text"] == card["text"]  # only the buttons change
    back = await sepaso.press(BACK, number)
    assert labels(back) == FIRST

    # An action on the second screen works as on the first; the card comes back to the first.
    await more_of(sepaso, number, user=STAF_DESA)
    taken = await sepaso.press("🙋 Saya tangani", "👤 Ditangani: Pak Kades")
    assert labels(taken)[-1] == MORE
    assert "✋ Lepas" in labels(await more_of(sepaso, number))


async def test_stale_and_forged_lainnya_presses_are_refused_politely(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso = scenario.desa
    number, _ = await scenario.file()
    await scenario.verify(number)
    open_card = await card_in(sepaso, number)
    old_more = callback_data(open_card, MORE)

    await sepaso.send(f"/arsipkan {number} spam", "diarsipkan.")
    closed = await card_in(sepaso, number, showing="disimpan sebagai arsip")
    assert labels(closed) == []
    # The old button, pressed by a client that kept it: refused, the card stays closed.
    await telegram.press(
        scenario.desa.user, int(open_card["message_id"]), old_more, chat_id=SEPASO_GROUP, force=True
    )
    await settle()
    [answer] = (await telegram.callback_answers(SEPASO_GROUP))[-1:]
    assert "sudah tidak berlaku" in answer["text"]
    assert labels(await card_in(sepaso, number)) == []

    # Data this bot never signed: not a button of ours.
    [report] = await store.reports()
    await telegram.press(
        scenario.desa.user,
        int(open_card["message_id"]),
        f"u:{report.id}:mo",
        chat_id=SEPASO_GROUP,
        force=True,
    )
    await settle()
    [answer] = (await telegram.callback_answers(SEPASO_GROUP))[-1:]
    assert answer["text"] == "Tombol ini tidak dikenali."
