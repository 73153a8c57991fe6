"""The sandbox's demo groups offer the seeded ready answers as the real groups do: through the
page's API only, the desa's officer verifies the anonymous scenario's waste report, presses
💬 Jawab pelapor, picks the seeded waste template under the prompt, gets it back filled and
sends it as it is; the group is told it reached the reporter."""

from __future__ import annotations

from emulator.chat import text_of
from tests.sandbox.conftest import Site
from tests.sandbox.test_sandbox_api import press, wait_for


async def test_the_demo_desa_answers_with_a_seeded_template(site: Site) -> None:
    await site.post("/api/scenarios/anonim")
    await wait_for(site, "desa", "📋 Laporan")
    await press(site, "desa", "✅ Verifikasi", "diverifikasi")

    await press(site, "desa", "💬 Jawab pelapor", "balas pesan ini dengan jawaban")
    offer = await wait_for(site, "desa", "📋 Templat untuk")
    buttons = [b["text"] for row in offer["reply_markup"]["inline_keyboard"] for b in row]
    assert "Diteruskan ke kebersihan" in buttons

    filled = await press(site, "desa", "Diteruskan ke kebersihan", "petugas kebersihan")
    assert "{" not in text_of(filled)
    assert "Sepaso" in text_of(filled)
    await press(site, "desa", "✅ Kirim apa adanya", "diteruskan ke pelapor")
