"""Webhook mode end to end: the emulator POSTs updates to the real bot (both frameworks).

The webhook is registered with ``aduan webhook set`` as an operator would; updates that arrive
while the bot is away stay pending at "Telegram" and are delivered once it listens again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import pytest
from pydantic import SecretStr

from cli.main import main
from emulator import EmulatorClient, TgUser
from runtime.bootstrap import build_app
from runtime.leader import SENDER
from runtime.settings import Settings
from runtime.webhook import SECRET_HEADER
from storage import leases
from storage.uow import UnitOfWork
from tests.e2e.conftest import RunningBot, wait_settled
from tests.e2e.helpers import SITI, Until
from tests.emulated import TOKEN

if TYPE_CHECKING:
    from tests.e2e.conftest import BotProcess, Store

SECRET = "uji_Rahasia-123"


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    return bot_settings.model_copy(
        update={"webhook_listen": "127.0.0.1:0", "webhook_secret": SecretStr(SECRET)}
    )


@pytest.fixture
async def webhook_bot(bot_settings: Settings) -> AsyncIterator[RunningBot]:
    app = await build_app(bot_settings)
    bot = RunningBot(app, asyncio.create_task(app.run()))
    assert app.webhook is not None
    for _ in range(500):  # the listener is up once it knows its port
        if app.webhook.port:
            break
        await asyncio.sleep(0.01)
    yield bot
    if not bot.task.done():
        await bot.stop()


def aduan(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Settings, *argv: str) -> int:
    monkeypatch.chdir(tmp_path)  # no .env there
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", settings.telegram_api_url)
    monkeypatch.setenv("BOT_FRAMEWORK", settings.bot_framework)
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    return main(list(argv))


async def test_updates_arrive_by_webhook_and_are_answered(
    webhook_bot: RunningBot,
    bot_settings: Settings,
    telegram: EmulatorClient,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert webhook_bot.app.webhook is not None
    url = f"http://127.0.0.1:{webhook_bot.app.webhook.port}/telegram/webhook"
    # A citizen writes before the webhook is set: Telegram keeps the update for it.
    await telegram.send_text(SITI, "/start")
    status = await asyncio.to_thread(
        aduan, monkeypatch, tmp_path, bot_settings, "webhook", "set", url
    )
    assert status == 0
    assert url in capsys.readouterr().out
    greeting = await telegram.wait_for_message(SITI.id, contains="Kanal Aduan", timeout=15)
    assert greeting["chat"]["id"] == SITI.id
    await wait_settled(telegram, store, timeout=15)
    assert await telegram.pending_updates() == []
    [row] = await store.inbox()
    assert row.processed_at is not None

    base = url.removesuffix("/telegram/webhook")
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/metrics") as response:
            assert response.status == 200
            metrics = await response.text()
        async with session.get(base + "/healthz") as response:
            assert response.status == 200
        async with session.get(base + "/readyz") as response:
            assert (response.status, await response.text()) == (200, "ready")
    assert "aduan_updates_received_total 1.0" in metrics
    assert 'aduan_backlog{queue="inbox"} 0.0' in metrics
    assert 'aduan_backlog{queue="outbox"} 0.0' in metrics
    assert 'aduan_leader{duty="sender"} 1.0' in metrics

    assert (
        await asyncio.to_thread(aduan, monkeypatch, tmp_path, bot_settings, "webhook", "info") == 0
    )
    info = capsys.readouterr().out
    assert f"URL webhook: {url}" in info
    assert "Update tertunda: 0" in info
    assert "max_connections: 40" in info
    assert "callback_query" in info

    # Anyone else who finds the address is refused, and nothing reaches the inbox.
    forged = {"update_id": 999_999, "message": {"message_id": 1, "date": 0, "chat": {"id": 7}}}
    async with aiohttp.ClientSession() as session:
        for headers in ({SECRET_HEADER: "tebakan"}, {}):
            async with session.post(url, json=forged, headers=headers) as response:
                assert response.status == 401
    assert len(await store.inbox()) == 1

    assert (
        await asyncio.to_thread(aduan, monkeypatch, tmp_path, bot_settings, "webhook", "delete")
        == 0
    )
    assert "Webhook dilepas" in capsys.readouterr().out


def test_webhook_mode_refuses_to_start_without_a_good_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("WEBHOOK_LISTEN", "127.0.0.1:8443")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    assert main(["run"]) == 2
    assert "WEBHOOK_SECRET belum diisi" in capsys.readouterr().err
    monkeypatch.setenv("WEBHOOK_SECRET", "ada spasi dan titik.")
    assert main(["run"]) == 2
    assert "hanya boleh berisi huruf" in capsys.readouterr().err
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("WEBHOOK_LISTEN", "8443")
    assert main(["run"]) == 2
    assert "WEBHOOK_LISTEN harus berbentuk host:port" in capsys.readouterr().err
    assert not (tmp_path / "a.db").exists()  # refused before touching anything


def test_a_bad_or_unreachable_database_is_said_plainly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", "mysql-ku://x")
    assert main(["run"]) == 2
    assert "DATABASE_URL tidak dikenali" in capsys.readouterr().err
    # Nothing listens on port 9 of this machine.
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://aduan:rahasia@127.0.0.1:9/aduan")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "tidak dapat dihubungi" in err
    assert "rahasia" not in err  # the password is masked


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["aiogram"], indirect=True)
async def test_a_second_process_on_one_sqlite_file_is_refused(
    bot_process: BotProcess,
    database_url: str,
    store: Store,
    until: Until,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bot_process.start()

    async def sender() -> str:
        try:
            async with UnitOfWork(store.sessions) as uow:
                now = datetime.now(UTC)
                return await leases.holder_of(uow.session, SENDER, now=now) or ""
        except Exception:  # not migrated yet
            return ""

    async def running() -> bool:
        return f":{bot_process.process.pid}:" in await sender()  # type: ignore[union-attr]

    await until(running, 60)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["run"]) == 2
    pid = bot_process.process.pid  # type: ignore[union-attr]
    assert f"Proses aduan run lain (pid {pid})" in capsys.readouterr().err
    # Once that process is gone (even killed, its lease still running), a new one may start.
    bot_process.kill()
    bot_process.start()
    await until(running, 60)
    assert bot_process.terminate(timeout=60) == 0


BUDI = TgUser(id=1002, first_name="Budi")


async def scrape(bot: RunningBot) -> dict[str, float]:
    """``/metrics`` read as a client would, every sample by its name and labels."""
    assert bot.app.webhook is not None
    url = f"http://127.0.0.1:{bot.app.webhook.port}/metrics"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        text = await response.text()
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


async def test_metrics_count_updates_sends_429s_and_clock_rounds(
    bot_settings: Settings,
    telegram: EmulatorClient,
    store: Store,
    until: Until,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # The clock runs (one round at start, the next an hour later) so its rounds can be counted.
    settings = bot_settings.model_copy(update={"run_jobs": True, "jobs_interval_seconds": 3600})
    app = await build_app(settings)
    bot = RunningBot(app, asyncio.create_task(app.run()))
    try:
        assert app.webhook is not None
        assert app.jobs is not None
        for _ in range(500):
            if app.webhook.port:
                break
            await asyncio.sleep(0.01)
        url = f"http://127.0.0.1:{app.webhook.port}/telegram/webhook"
        assert (
            await asyncio.to_thread(aduan, monkeypatch, tmp_path, settings, "webhook", "set", url)
            == 0
        )

        # Telegram answers the first reply with 429 (retry after 1 s), the next with a 500.
        await telegram.fault(429, method="sendMessage", retry_after=1)
        await telegram.fault(500, method="sendMessage")
        await telegram.send_text(SITI, "/start")
        await telegram.wait_for_message(SITI.id, contains="Kanal Aduan", timeout=15)
        await wait_settled(telegram, store, timeout=15)
        # Telegram refuses the reply to Budi for good (403, as when a user blocked the bot).
        await telegram.fault(403, method="sendMessage")
        await telegram.send_text(BUDI, "/start")
        await wait_settled(telegram, store, timeout=15)

        async def round_at_start() -> bool:
            return (await scrape(bot))['aduan_clock_rounds_total{outcome="done"}'] == 1

        await until(round_at_start, 15)
        await app.jobs.run_due()  # a second round, as the next tick would run it

        outbox = await store.outbox()
        delivered = [row for row in outbox if row.sent_at is not None]
        refused = [row for row in outbox if row.failed_at is not None]
        assert len(delivered) + len(refused) == len(outbox)
        assert {row.chat_id for row in delivered} == {str(SITI.id)}
        assert {row.chat_id for row in refused} == {str(BUDI.id)}
        metrics = await scrape(bot)
    finally:
        if not bot.task.done():
            await bot.stop()

    assert len(delivered) == len(refused) == 1  # /start answers with one message
    assert {
        name: value
        for name, value in metrics.items()
        if name.startswith(("aduan_updates_", "aduan_sends_", "aduan_telegram_", "aduan_clock_"))
        and not name.partition("{")[0].endswith("_created")
    } == {
        "aduan_updates_received_total": 2.0,
        'aduan_updates_handled_total{outcome="handled"}': 2.0,
        'aduan_updates_handled_total{outcome="failed"}': 0.0,
        'aduan_updates_handled_total{outcome="given_up"}': 0.0,
        # Siti's greeting: refused with 429, then a 500, then delivered; Budi's: refused.
        'aduan_sends_total{result="sent"}': 1.0,
        'aduan_sends_total{result="retried"}': 1.0,
        'aduan_sends_total{result="rate_limited"}': 1.0,
        'aduan_sends_total{result="given_up"}': 1.0,
        "aduan_telegram_429_total": 1.0,
        'aduan_clock_rounds_total{outcome="done"}': 2.0,
        'aduan_clock_rounds_total{outcome="failed"}': 0.0,
    }
