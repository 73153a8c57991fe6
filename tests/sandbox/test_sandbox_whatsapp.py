"""Wati's WhatsApp chat in the sandbox (issue 30): the page's API plays her on the fake Graph API,
whose signed webhooks reach the real bot; her report reaches the desa's Telegram group like
Siti's, and the desa's answer reaches her on WhatsApp."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from storage.models import Report
from tests.sandbox.conftest import JsonDict, Site
from tests.sandbox.test_sandbox_api import press

TRACKING = re.compile(r"Nomor laporan: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])")
SAMPAH = "Sampah menumpuk di belakang pasar Sepaso sudah seminggu, baunya menyengat sekali."


def offered(message: JsonDict) -> dict[str, str]:
    """Title → id of a WhatsApp message's reply buttons or list rows, as the page gets them."""
    rows = message.get("buttons") or (message.get("list") or {}).get("rows") or []
    return {row["title"]: row["id"] for row in rows}


async def wati_sees(site: Site, words: str, *, after: int = 0, timeout: float = 10.0) -> JsonDict:
    """The newest bot message of Wati's chat (from position ``after``) that has ``words``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        chat = await site.messages("wati")
        found = [m for m in chat[after:] if m["from_bot"] and words in m["text"]]
        if found:
            return found[-1]
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"wati: no {words!r}; chat: {[m['text'][:60] for m in chat]}")
        await asyncio.sleep(0.05)


async def wati_types(site: Site, text: str, expect: str) -> JsonDict:
    after = len(await site.messages("wati"))
    await site.post("/api/panes/wati/text", {"text": text})
    return await wati_sees(site, expect, after=after)


async def wati_taps(site: Site, title: str, expect: str) -> JsonDict:
    chat = await site.messages("wati")
    message = next(m for m in reversed(chat) if title in offered(m))
    body = {"message_id": message["message_id"], "data": offered(message)[title]}
    pressed = await site.post("/api/panes/wati/press", body)
    assert pressed["answer"] is None  # WhatsApp has no answer box: the tap is her message
    return await wati_sees(site, expect, after=len(chat))


async def test_wati_files_on_whatsapp_and_the_desa_answers_her(site: Site) -> None:
    state = await site.get("/api/state")
    wati = next(p for p in state["panes"] if p["key"] == "wati")
    assert (wati["kind"], wati["is_group"]) == ("whatsapp", False)
    assert state["texts"]["kind.whatsapp"] == "Warga · WhatsApp"
    assert await site.messages("wati") == []

    consent = await wati_types(site, "Halo", "Apakah Anda setuju?")
    assert "✅ Saya setuju" in offered(consent)  # reply buttons, under the bubble
    await wati_taps(site, "✅ Saya setuju", "Silakan pilih menu")
    await wati_taps(site, "📝 Laporan baru", "Apa jenis laporan Anda?")
    await wati_taps(site, "Pengaduan", "Pilih kategori")
    categories = (await site.messages("wati"))[-1]
    assert categories["list"]["rows"], categories  # more than 3 choices: a list message
    await wati_taps(site, "Sampah & Lingkungan", "Di kecamatan mana")
    await wati_types(site, "bengalon", "Di desa/kelurahan mana")
    await wati_types(site, "sepaso", "Tulis detail alamat")
    await wati_taps(site, "Lewati ➡️", "Kirim titik lokasi")
    asked = [m for m in await site.messages("wati") if m.get("location_request")]
    assert asked, "no location request"
    before = len(await site.messages("wati"))
    await site.post("/api/panes/wati/location")
    await wati_sees(site, "Ceritakan masalahnya", after=before)
    await wati_types(site, SAMPAH, "Kirim foto bukti")
    before = len(await site.messages("wati"))
    await site.post("/api/panes/wati/photo", {"sample": "sampah-menumpuk.png"})
    await wati_sees(site, "Foto diterima: 1/5.", after=before)
    await wati_taps(site, "✅ Selesai (1 foto)", "Pilih kerahasiaan")
    await wati_taps(site, "Biasa", "Periksa laporan Anda")
    done = await wati_taps(site, "📨 Kirim laporan", "Nomor laporan:")
    found = TRACKING.search(done["text"])
    assert found, done["text"]
    number = found.group(1)

    # Her own messages are in her chat too: the location, the photo (served by the page) and
    # the titles she tapped, each with its time on the sandbox's clock.
    chat = await site.messages("wati")
    mine = [m for m in chat if not m["from_bot"]]
    assert any(m.get("location") for m in mine)
    assert "📨 Kirim laporan" in [m["text"] for m in mine]
    assert all(re.fullmatch(r"\d\d\.\d\d", m["shown"]["time"]) for m in chat)
    picture = next(m["picture"] for m in mine if m.get("picture"))
    async with site.http.get(site.url + picture) as response:
        assert response.status == 200
        assert response.content_type == "image/png"

    # The desa's group gets the card, saying it came by WhatsApp, and never her number.
    card = await _group_message(site, "desa", f"Laporan {number}")
    assert "Masuk lewat WhatsApp" in card["text"]
    assert "Wati Lestari" in card["text"]
    assert "6281200001003" not in card["text"]
    async with site.sandbox.app.uow_factory() as uow:
        report = await uow.session.scalar(select(Report).where(Report.tracking_no == number))
        assert report is not None
        assert report.channel == "whatsapp"

    # Pak Kades verifies it, then answers by replying to the card; Wati reads both on WhatsApp.
    before = len(await site.messages("wati"))
    await press(site, "desa", "✅ Verifikasi", "Status: Sudah diverifikasi")
    await wati_sees(site, "sudah diverifikasi", after=before)
    card = await _group_message(site, "desa", f"Laporan {number}")
    answer = "Terima kasih, Bu Wati. Sampahnya diangkut besok pagi."
    before = len(await site.messages("wati"))
    await site.post("/api/panes/desa/text", {"text": answer, "reply_to": card["message_id"]})
    await wati_sees(site, answer, after=before)
    assert site.sandbox.whatsapp.refused == []  # every screen kept to WhatsApp's limits


async def test_a_reset_empties_watis_chat(site: Site) -> None:
    await wati_types(site, "Halo", "Apakah Anda setuju?")
    await site.post("/api/reset")
    assert await site.messages("wati") == []
    # ... and she starts again, on the new bot.
    await wati_types(site, "Halo", "Apakah Anda setuju?")


async def test_a_tap_on_a_choice_the_message_does_not_offer_is_refused(site: Site) -> None:
    consent = await wati_types(site, "Halo", "Apakah Anda setuju?")
    body = {"message_id": consent["message_id"], "data": "no-such-choice"}
    refused = await site.post("/api/panes/wati/press", body, status=400)
    assert refused == {"error": "bad_request"}


async def _group_message(site: Site, pane: str, words: str, timeout: float = 10.0) -> JsonDict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for message in reversed(await site.messages(pane)):
            if message["from_bot"] and words in (message.get("text") or ""):
                return message
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{pane}: no {words!r}")
        await asyncio.sleep(0.05)
