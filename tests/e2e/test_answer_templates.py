"""Ready answers end to end, on both frameworks: the real bot against the emulator. The desa's
admin saves a template with ``/templat tambah``; a member presses 💬 Jawab pelapor, picks it under
the prompt, gets it back filled and sends it as it is; the admin presses 🏁 Selesai, picks a
seeded template, edits it and replies with it. The citizen receives the filled and the edited
words, never a fill-in's braces; a member may not add a template."""

from __future__ import annotations

from emulator import EmulatorClient
from tests.e2e.conftest import RunningBot, Settle
from tests.e2e.helpers import ChatOf, labels
from tests.e2e.scenario import Scenario
from tests.e2e.units import SEPASO_GROUP, STAF_DESA

WORD = "Kalsedon"


async def test_a_template_picked_under_the_prompt_is_sent_as_is_or_edited(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    number, _ = await scenario.file()
    await scenario.verify(number)

    # A member may read the list but not add to it; the admin adds one.
    await sepaso.do(
        lambda: telegram.send_text(STAF_DESA, "/templat tambah Coba | teks", chat_id=SEPASO_GROUP),
        "hanya admin grup ini atau petugas yang ditunjuk",
    )
    await sepaso.send("/templat tambah Salah | Halo {nama}", "isian {nama} tidak dikenal")
    saved = await sepaso.send(
        f"/templat tambah Dijadwalkan | Laporan {{nomor}} di {{desa}} dijadwalkan. {WORD}",
        "tersimpan",
    )
    assert "Dijadwalkan" in saved["text"]
    listed = await sepaso.send("/templat", "Templat jawaban")
    assert "Dijadwalkan" in listed["text"]

    # 💬 Jawab pelapor: the templates that fit come with the prompt; one is picked, sent as is.
    await sepaso.do(
        lambda: telegram.press_button(STAF_DESA, "💬 Jawab pelapor", chat_id=SEPASO_GROUP),
        "balas pesan ini dengan jawaban",
    )
    offer = next(m for m in await sepaso.messages() if "📋 Templat untuk" in str(m.get("text")))
    assert "Dijadwalkan" in labels(offer)
    assert "Diteruskan ke kebersihan" in labels(offer)  # the seed's, for sampah
    filled = await sepaso.do(
        lambda: telegram.press_button(STAF_DESA, "Dijadwalkan", chat_id=SEPASO_GROUP),
        f"Laporan {number} di Desa Sepaso, Kec. Bengalon dijadwalkan.",
    )
    assert labels(filled) == ["✅ Kirim apa adanya"]
    heard = await siti.do(
        lambda: telegram.press_button(STAF_DESA, "✅ Kirim apa adanya", chat_id=SEPASO_GROUP),
        WORD,
    )
    assert f"Laporan {number} di Desa Sepaso" in heard["text"]
    assert "{" not in heard["text"]

    # 🏁 Selesai: a seeded template, edited, replied to its message.
    await sepaso.press("🏁 Selesai", "balas pesan ini dengan jawaban akhir")
    seeded = await sepaso.press("Sampah sudah diangkut", "sudah diangkut petugas")
    edited = f"Sampah sudah diangkut petugas tadi pagi. {WORD} dua"
    final = await siti.do(
        lambda: telegram.send_text(
            sepaso.user, edited, chat_id=SEPASO_GROUP, reply_to=int(seeded["message_id"])
        ),
        f"{WORD} dua",
    )
    assert edited in final["text"]
    await settle()
    status = await siti.send(f"/status {number}", "Riwayat")
    assert "Selesai" in status["text"]
