"""Bot API calls for one filed report, counted by the emulator (issue 13, "fewer calls").

Telegram counts every message sent and every message edited against its flood limits (about
one a second in one chat, with a short burst), so each call the citizen does not need is a wait
they feel. The table below is the budget per step of the quickest report: one counted call,
except where a new message must carry a reply keyboard after a screen whose buttons must go
(consent: the main menu; send: the tracking number under the summary marked as sent).
Button answers (``answerCallbackQuery``) are not counted by Telegram and are checked apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator import EmulatorClient
from tests.e2e.helpers import (
    DESCRIPTION,
    SITI,
    ChatOf,
    JsonDict,
    reply_labels,
    tracking_number,
)

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest itself
    from tests.e2e.conftest import RunningBot, Settle

SENDS = ("sendMessage", "sendPhoto", "sendMediaGroup", "sendDocument", "sendLocation")
EDITS = ("editMessageText", "editMessageReplyMarkup", "editMessageCaption")

#: (step, how, label or text, a part of the next screen, counted calls allowed for the step)
STEPS: list[tuple[str, str, str, str, int]] = [
    ("start", "send", "/start", "Apakah Anda setuju?", 1),
    ("consent", "press", "✅ Saya setuju", "Silakan pilih menu", 2),
    ("new report", "send", "📝 Laporan baru", "Apa jenis laporan Anda?", 1),
    ("type", "press", "Pengaduan", "Pilih kategori", 1),
    ("category", "press", "Air Bersih", "Di kecamatan mana", 1),
    ("kecamatan", "press", "Bengalon", "Di desa/kelurahan mana", 1),
    ("desa", "press", "Sepaso", "Tulis detail alamat", 1),
    ("skip address", "press", "Lewati ➡️", "Kirim titik lokasi", 1),
    # Two: a note that removes the location keyboard, then the screen with its inline buttons.
    ("skip location", "send", "Lewati lokasi ➡️", "Ceritakan masalahnya", 2),
    ("description", "send", DESCRIPTION, "Kirim foto bukti", 1),
    ("skip photos", "press", "Lewati ➡️", "Pilih kerahasiaan", 1),
    ("privacy", "press", "Biasa", "Periksa laporan Anda", 1),
    ("send", "press", "📨 Kirim laporan", "Nomor laporan:", 2),
]


def _counted(methods: dict[str, int]) -> tuple[int, int, int]:
    """(sends, edits, button answers) so far."""
    sends = sum(int(methods.get(m, 0)) for m in SENDS)
    edits = sum(int(methods.get(m, 0)) for m in EDITS)
    return sends, edits, int(methods.get("answerCallbackQuery", 0))


async def test_one_report_costs_one_counted_call_per_step_but_consent_and_send(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, settle: Settle
) -> None:
    chat = chat_of(SITI)
    await settle()
    first = before = _counted((await telegram.stats())["methods"])
    spent: dict[str, int] = {}
    screen: JsonDict = {}
    for step, how, label, expect, _ in STEPS:
        act = chat.send if how == "send" else chat.press
        screen = await act(label, expect)
        await settle()  # every message of the step delivered before counting
        now = _counted((await telegram.stats())["methods"])
        spent[step] = (now[0] - before[0]) + (now[1] - before[1])
        before = now
    assert tracking_number(screen)
    # The location step's keyboard is removed when that step ends; the filed report brings the
    # menu back.
    assert "📝 Laporan baru" in reply_labels(screen)
    budget = {step: allowed for step, *_, allowed in STEPS}
    assert spent == budget, f"counted calls per step: {spent}"
    # 17 before issue 13 (8 sends, 9 edits on this path); 15 after it; 16 since the location
    # keyboard is removed when its step ends.
    assert sum(spent.values()) == 16
    presses = sum(1 for _, how, *_ in STEPS if how == "press")
    assert before[2] - first[2] == presses  # every press answered once: no spinner is left


async def test_agreeing_after_asking_for_a_report_edits_the_notice_once(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, settle: Settle
) -> None:
    """/lapor before consent: "Saya setuju" turns the notice into step 1 in one edit, which
    says the consent was recorded (before: an edit to "dicatat", overwritten at once)."""
    chat = chat_of(SITI)
    await chat.send("/lapor", "Apakah Anda setuju?")
    await settle()
    before = _counted((await telegram.stats())["methods"])
    first = await chat.press("✅ Saya setuju", "Apa jenis laporan Anda?")
    await settle()
    after = _counted((await telegram.stats())["methods"])
    assert (after[0] - before[0], after[1] - before[1]) == (0, 1)
    assert first["text"].startswith("✅ Terima kasih, persetujuan Anda sudah dicatat.\n")
    assert "Langkah 1/9" in first["text"]
