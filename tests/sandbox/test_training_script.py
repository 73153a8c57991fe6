"""The trainer's usability script (docs/training.md, "A usability script for trainers") walked
through the sandbox as a newcomer would do it, each task checked against its "done when" line.

Each task's line in the document quotes what the screens say ("..."); ``DONE_WHEN`` names, for
each task, the chat where each quoted text must be read. The test fails when the document quotes
something the table does not name (the script was reworded), and when a screen no longer shows a
quoted text (the screens changed): the script cannot drift from the screens again.
"""

from __future__ import annotations

import re
from pathlib import Path

from emulator.chat import text_of
from tests.sandbox.conftest import JsonDict, Site
from tests.sandbox.test_sandbox_api import TRACKING, press, say, wait_for

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "training.md"
TASK = re.compile(r"^(\d)\. \*\*(.+?)\*\*(.*?)(?=^\d\. \*\*|^\S|\Z)", re.MULTILINE | re.DOTALL)
QUOTED = re.compile(r"\"([^\"]+)\"")

#: Task number -> (chat, text) pairs: each text quoted in the task's "done when" line, and the
#: chat (a pane of the page) where the newcomer reads it once the task is done.
DONE_WHEN: dict[int, list[tuple[str, str]]] = {
    1: [("siti", "Nomor laporan"), ("desa", "📋 Laporan")],
    2: [
        ("desa", "Sudah diverifikasi dan diterima unit"),
        ("siti", "sudah diverifikasi dan diteruskan ke Desa Sepaso"),
    ],
    3: [("siti", "membutuhkan informasi tambahan"), ("desa", "Pesan dari pelapor")],
    4: [("siti", "Jawaban Desa Sepaso")],
    5: [("desa", "Selesai dan sudah ditutup"), ("desa", "Nilai dari pelapor")],
}


def done_when_lines() -> dict[int, str]:
    """Each task's "done when" line: what follows the dash after the task's quoted words."""
    text = SCRIPT.read_text(encoding="utf-8")
    section = text.split("## A usability script for trainers", 1)[1]
    tasks = {int(m.group(1)): " ".join(m.group(3).split()) for m in TASK.finditer(section)}
    assert sorted(tasks) == [1, 2, 3, 4, 5], tasks
    return {number: body.rsplit(" — ", 1)[1] for number, body in tasks.items()}


def test_every_quoted_text_of_the_script_is_checked_on_a_screen() -> None:
    lines = done_when_lines()
    for number, line in lines.items():
        quoted = QUOTED.findall(line)
        assert quoted, f"task {number}'s done-when line quotes no screen: {line!r}"
        assert sorted(quoted) == sorted(text for _, text in DONE_WHEN[number]), (number, line)


async def newest_card(site: Site, pane: str, number: str) -> JsonDict:
    return await wait_for(site, pane, f"📋 Laporan {number}")


async def test_a_newcomer_does_the_five_tasks_of_the_script(site: Site) -> None:
    async def done(task: int) -> None:
        for pane, text in DONE_WHEN[task]:
            await wait_for(site, pane, text)

    # 1. File a report, as Siti, in Sepaso, with a photo.
    await say(site, "siti", "/start", "Apakah Anda setuju?")  # the MULAI button sends /start
    await press(site, "siti", "✅ Saya setuju", "Silakan pilih menu")
    await say(site, "siti", "📝 Laporan baru", "Apa jenis laporan Anda?")
    await press(site, "siti", "Pengaduan", "Pilih kategori")
    await press(site, "siti", "Sampah & Lingkungan", "Di kecamatan mana")
    # The newcomer knows the desa, not its kecamatan: typed at the kecamatan step, it is found.
    await say(site, "siti", "sepaso", "Desa Sepaso, Kec. Bengalon — benar?")
    await press(site, "siti", "Desa Sepaso, Kec. Bengalon", "Tulis detail alamat")
    await say(site, "siti", "belakang pasar", "Kirim titik lokasi")
    await site.post("/api/panes/siti/location")
    await wait_for(site, "siti", "Ceritakan masalahnya")
    await say(site, "siti", "Sampah di belakang pasar belum diangkut seminggu.", "Kirim foto")
    await site.post("/api/panes/siti/photo", {"sample": "sampah-menumpuk.png"})
    await wait_for(site, "siti", "Foto diterima: 1/5")
    await press(site, "siti", "✅ Selesai (1 foto)", "Pilih kerahasiaan")
    await press(site, "siti", "Biasa", "Periksa laporan Anda")
    filed = await press(site, "siti", "📨 Kirim laporan", "Nomor laporan:")
    found = TRACKING.search(text_of(filed))
    assert found
    number = found.group(1)
    await done(1)
    card = await newest_card(site, "desa", number)

    # 2. Verify it, as Pak Kades.
    await press(site, "desa", "✅ Verifikasi", "Sudah diverifikasi")
    await done(2)

    # 3. Ask the reporter; Siti answers.
    await press(site, "desa", "❓ Minta info", "balas pesan ini dengan pertanyaan")
    question = "Di sebelah mana tepatnya di belakang pasar?"
    await say(site, "desa", question, "Pertanyaan untuk laporan")
    asked = await wait_for(site, "siti", question)
    reply = {"reply_to": asked["message_id"]}
    await say(site, "siti", "dekat pintu belakang pasar", "sudah diteruskan ke petugas", **reply)
    await done(3)

    # 4. Answer: a reply to the card (↩ Balas) reaches Siti.
    answer = "Terima kasih, tim kebersihan datang besok pagi."
    await site.post("/api/panes/desa/text", {"text": answer, "reply_to": card["message_id"]})
    await done(4)

    # 5. Finish, then Siti confirms and rates.
    await press(site, "desa", "🏁 Selesai", "balas pesan ini dengan jawaban akhir")
    final = "Sampah sudah diangkut. Terima kasih atas laporannya."
    await say(site, "desa", final, "dinyatakan selesai")
    await wait_for(site, "siti", "Apakah masalah Anda memang sudah selesai?")
    await press(site, "siti", "👍 Sudah selesai", "Seberapa puas Anda")
    await press(site, "siti", "⭐⭐⭐⭐⭐", "Ada saran atau komentar?")
    await done(5)
