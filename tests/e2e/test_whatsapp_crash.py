"""The crash suite's SQLite shape with a WhatsApp citizen (issue 30): one ``aduan run`` on a SQLite
file, polling Telegram and serving WhatsApp's webhook, SIGKILLed while a WhatsApp citizen is in
the middle of the intake and again right after she sends her report. What she wrote while the bot
was down is delivered again until it is taken (as Meta retries a webhook that got no 200); she
loses nothing, files one report, and gets every message the bot committed to her exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import pytest

from bench.workers import free_port
from bot.whatsapp_render import render_whatsapp
from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp, JsonDict
from handlers.actions import action_from_dict
from runtime.settings import Settings
from tests.e2e.conftest import BotProcess, ForkServer
from tests.e2e.helpers import Until
from tests.e2e.test_crash_recovery import START_TIMEOUT, polling
from tests.images import plain_jpeg
from tests.whatsapp.citizen import WaCitizen, text_of

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest itself
    from tests.e2e.conftest import Store

WA_ID = "6281234500077"
NAME = "Wati Lestari"
TRACKING = re.compile(r"Nomor laporan: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])")
RETRY_SECONDS = 0.2


@pytest.fixture
async def fake() -> AsyncIterator[FakeWhatsApp]:
    server = FakeWhatsApp()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def wa_process(
    bot_settings: Settings, tmp_path: Path, fork_server: ForkServer, fake: FakeWhatsApp
) -> BotProcess:
    """The bot as a process of its own with WhatsApp on, its webhook on a port that stays the
    same across restarts (Meta posts to one address)."""
    port = free_port()
    fake.webhook_url = f"http://127.0.0.1:{port}/whatsapp/webhook"
    env = {
        "WHATSAPP_PHONE_NUMBER_ID": fake.phone_number_id,
        "WHATSAPP_ACCESS_TOKEN": fake.access_token,
        "WHATSAPP_APP_SECRET": fake.app_secret,
        "WHATSAPP_VERIFY_TOKEN": "verify-me",
        "WHATSAPP_LISTEN": f"127.0.0.1:{port}",
        "WHATSAPP_API_URL": fake.base_url,
    }
    return BotProcess(bot_settings, tmp_path, fork_server, extra_env=env)


async def delivered(fake: FakeWhatsApp, message: JsonDict, timeout: float = START_TIMEOUT) -> None:
    """Post the citizen's message until the bot takes it (200), as Meta redelivers a webhook
    that got no answer; fails after ``timeout`` seconds."""
    body = fake.webhook_body(WA_ID, NAME, message)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        with_status = 0
        with contextlib.suppress(aiohttp.ClientConnectionError):  # down: Meta tries again later
            with_status = await fake.post_webhook(body)
        if with_status == 200:
            return
        if loop.time() > deadline:
            raise TimeoutError(f"the webhook was not taken within {timeout}s ({with_status})")
        await asyncio.sleep(RETRY_SECONDS)


async def test_delivered_fails_when_the_bot_never_takes_the_webhook(fake: FakeWhatsApp) -> None:
    fake.webhook_url = f"http://127.0.0.1:{free_port()}/whatsapp/webhook"  # nobody listens
    with pytest.raises(TimeoutError, match=r"not taken within 0\.5s"):
        await delivered(fake, {"type": "text", "text": {"body": "Halo"}}, timeout=0.5)


async def settled(store: Store, until: Until) -> None:
    async def done() -> bool:
        inbox, outbox = await store.inbox(), await store.outbox()
        return all(r.processed_at for r in inbox) and all(m.sent_at for m in outbox)

    await until(done, START_TIMEOUT)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("framework", "engine_name"), [("aiogram", "sqlite"), ("ptb", "sqlite")], indirect=True
)
async def test_a_whatsapp_citizen_killed_mid_intake_loses_nothing_and_hears_everything_once(
    wa_process: BotProcess,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    store: Store,
    until: Until,
) -> None:
    wa_process.start()
    await polling(telegram, until)
    citizen = WaCitizen(fake, WA_ID, NAME, timeout=START_TIMEOUT)
    await delivered(fake, {"type": "text", "text": {"body": "Halo"}})
    await citizen.expect("Apakah Anda setuju?", 0)
    await citizen.press("✅ Saya setuju", "Silakan pilih menu")
    await citizen.press("📝 Laporan baru", "Apa jenis laporan Anda?")
    await citizen.press("Pengaduan", "Pilih kategori")
    await citizen.press("Sampah & Lingkungan", "Di kecamatan mana")
    await settled(store, until)

    # Killed mid-intake; she writes the kecamatan while the bot is down. Her message is taken
    # once the bot is back, and the intake goes on at the same step.
    wa_process.kill()
    after = len(fake.sent)
    pending = asyncio.create_task(delivered(fake, {"type": "text", "text": {"body": "bengalon"}}))
    await asyncio.sleep(RETRY_SECONDS * 3)  # a few refused deliveries while it is down
    assert not pending.done()
    wa_process.start()
    await pending
    await citizen.expect("Di desa/kelurahan mana", after)
    await citizen.send("sepaso", "Tulis detail alamat")
    await citizen.press("Lewati ➡️", "Kirim titik lokasi")
    await citizen.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    await citizen.send("Sampah menumpuk di belakang pasar sudah seminggu.", "Kirim foto bukti")
    await citizen.send_photo(plain_jpeg(3), "Foto diterima: 1/5.")
    await citizen.press("✅ Selesai (1 foto)", "Pilih kerahasiaan laporan")
    await citizen.press("Biasa", "Periksa laporan Anda")
    await settled(store, until)

    # Killed right after she sends it: the press was taken (200) before the kill.
    after = len(fake.sent)
    await delivered(fake, citizen.tap("📨 Kirim laporan"))
    wa_process.kill()
    wa_process.start()
    done = await citizen.expect("Nomor laporan:", after)
    await settled(store, until)

    [report] = await store.reports()
    assert report.channel == "whatsapp"
    found = TRACKING.search(text_of(done))
    assert found
    assert found.group(1) == report.tracking_no
    numbers = [m for m in citizen.mine() if "Nomor laporan:" in text_of(m)]
    assert len(numbers) == 1
    # Every message the bot committed to her went out once: as many as its rows render to.
    rows = [m for m in await store.outbox() if m.channel == "whatsapp"]
    assert all(m.sent_at and not m.failed_at for m in rows)
    committed = sum(
        len(render_whatsapp(action_from_dict(m.payload), list_button="Pilih")) for m in rows
    )
    assert len(citizen.mine()) == committed
    assert fake.refused == []
    assert wa_process.terminate() == 0
