"""Ready situations for trainers, played as people would play them.

Each scenario starts from a reset sandbox and then only acts through the emulator's control API:
a citizen types, taps buttons, sends photos and a location; the clock is moved with
:meth:`Sandbox.advance`. Nothing is written into the bot's database directly, so what the
trainees then see is exactly what the bot made of it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from emulator.chat import ChatView, text_of
from web.sandbox.cast import DEMO_LOCATION, PANES, Pane, pane
from web.sandbox.runtime import Sandbox
from web.sandbox.samples import Sample, sample

#: Working days past the verify period within which the overdue report must be escalated.
ESCALATION_SEARCH_DAYS = 3
TRACKING = re.compile(r"Nomor laporan: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])")

ROAD = (
    "Jalan poros Sepaso–Bengalon berlubang besar di dekat jembatan, sudah dua kali motor warga "
    "jatuh waktu hujan. Mohon segera ditambal."
)
WASTE = (
    "Sampah menumpuk di pinggir jalan dekat pasar Sepaso sudah dua minggu, bau dan banyak lalat."
)
BURNING = (
    "Ada yang rutin membakar sampah plastik di lahan kosong belakang masjid RT 02 tiap malam, "
    "asapnya masuk ke rumah warga. Saya tidak ingin nama saya diketahui tetangga."
)


@dataclass(frozen=True)
class Report:
    """What a citizen files in a scenario (the labels are the Indonesian buttons)."""

    category: str
    description: str
    address: str = ""
    location: bool = False
    photos: Sequence[Sample] = ()
    privacy: str = "Biasa"
    kecamatan: str = "Bengalon"
    desa: str = "Sepaso"


async def file_report(sandbox: Sandbox, citizen: Pane, report: Report) -> str:
    """``citizen`` files ``report`` from /start on; returns its tracking number."""
    telegram = sandbox.telegram
    chat = ChatView(telegram, citizen.user, citizen.chat_id)
    await chat.consent()
    await chat.send("📝 Laporan baru", "Apa jenis laporan Anda?")
    await chat.press("Pengaduan", "Pilih kategori")
    await chat.press(report.category, "Di kecamatan mana")
    await chat.press(report.kecamatan, "Di desa/kelurahan mana")
    await chat.press(report.desa, "Tulis detail alamat")
    if report.address:
        await chat.send(report.address, "Kirim titik lokasi")
    else:
        await chat.press("Lewati ➡️", "Kirim titik lokasi")
    if report.location:
        latitude, longitude = DEMO_LOCATION
        await chat.do(
            lambda: telegram.send_location(citizen.user, latitude, longitude),
            "Ceritakan masalahnya",
        )
    else:
        await chat.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    await chat.send(report.description, "Kirim foto bukti")
    if report.photos:
        await chat.do(
            lambda: _send_album(chat, report.photos),
            f"📷 Foto diterima: {len(report.photos)}/5.",
        )
        await chat.press(f"✅ Selesai ({len(report.photos)} foto)", "Pilih kerahasiaan")
    else:
        await chat.press("Lewati ➡️", "Pilih kerahasiaan")
    await chat.press(report.privacy, "Periksa laporan Anda")
    done = await chat.press("📨 Kirim laporan", "Nomor laporan:")
    found = TRACKING.search(text_of(done))
    if found is None:  # pragma: no cover - the confirmation always carries the number
        raise RuntimeError(f"no tracking number in {text_of(done)!r}")
    return found.group(1)


async def _send_album(chat: ChatView, photos: Sequence[Sample]) -> None:
    album = f"sandbox-{chat.user.id}" if len(photos) > 1 else None
    for photo in photos:
        await chat.telegram.send_photo(
            chat.user, photo.path.read_bytes(), media_group_id=album, mime_type="image/png"
        )


async def road_with_photos(sandbox: Sandbox) -> None:
    """A new road complaint with two photos and a GPS point, waiting for Dinas PUPR."""
    photos = (sample("jalan-berlubang.png"), sample("jalan-berlubang-dekat.png"))
    report = Report(
        "Jalan & Jembatan",
        ROAD,
        address="Jl. Poros Sepaso, dekat jembatan RT 03",
        location=True,
        photos=photos,
    )
    await file_report(sandbox, pane("siti"), report)


async def overdue(sandbox: Sandbox) -> None:
    """A waste complaint at the desa nobody verified: the clock runs to the day after its
    deadline, through the reminders, to the escalation to the kecamatan and the coordinator."""
    report = Report("Sampah & Lingkungan", WASTE, photos=(sample("sampah-menumpuk.png"),))
    await file_report(sandbox, pane("siti"), report)
    # Day by day rather than a fixed jump, so local holidays and a longer verify period in the
    # settings still end on the escalation's morning.
    for _ in range(sandbox.base_settings.verify_working_days + ESCALATION_SEARCH_DAYS):
        [day] = await sandbox.advance(1)
        if day.counts.get("escalations"):
            return
    raise RuntimeError("the overdue report was never escalated")


async def anonymous(sandbox: Sandbox) -> None:
    """An anonymous report about a neighbour burning waste: the desa's card hides who sent it."""
    report = Report(
        "Sampah & Lingkungan", BURNING, photos=(sample("sampah-menumpuk.png"),), privacy="Anonim"
    )
    await file_report(sandbox, pane("budi"), report)


Scenario = Callable[[Sandbox], Awaitable[None]]

#: key → the scenario; the page's labels are the catalogue's ``sandbox.scenario.<key>``.
SCENARIOS: dict[str, Scenario] = {
    "jalan": road_with_photos,
    "terlambat": overdue,
    "anonim": anonymous,
}


#: The demo citizens write in Indonesian: a scenario taps their Indonesian buttons.
CITIZENS_LANGUAGE = "id"


async def load(sandbox: Sandbox, key: str) -> None:
    """Reset the sandbox, then play the scenario ``key`` (KeyError for an unknown one).

    The groups read the page's language throughout; the citizens play in Indonesian, then
    their chats take the page's language again."""
    scenario = SCENARIOS[key]
    await sandbox.reset()
    citizens = [item for item in PANES if not item.is_group]
    await sandbox.speak(CITIZENS_LANGUAGE, citizens)
    await scenario(sandbox)
    await sandbox.settle()  # the cards and notices that follow have gone out
    await sandbox.speak(sandbox.language, citizens)
