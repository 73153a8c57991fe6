"""The monthly summary's setting and the kecamatan's own page, through the emulator on both
frameworks: with ``MONTHLY_SUMMARY_ENABLED=false`` no group receives anything on the first
working day; on, a kecamatan's group (Bengalon, whose desa Sepaso has the report) receives its
own kecamatan's page once, beside the coordinator's, and the desa's group nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from emulator import EmulatorClient
from emulator.chat import ChatView
from runtime.clock import TravellingClock
from runtime.settings import Settings
from tests.e2e.conftest import Store
from tests.e2e.helpers import SITI
from tests.e2e.test_clock import BENGALON, BENGALON_GROUP, CAMAT, ChatOf, ClockBot, wita
from tests.e2e.test_data_rights import _documents, _download
from tests.e2e.test_monthly_summary import pdf_text
from tests.e2e.units import bind_area, file_report, setup_groups
from web.console.summary_pdf import month_renderer
from web.from_settings import console_config

Bots = Callable[[bool], ClockBot]


@pytest.fixture
async def bots(bot_settings: Settings, store: Store) -> AsyncIterator[Bots]:
    """``bots(enabled)``: the bot with the monthly summary on or off, started on Tuesday 31 March
    2026 before the morning time (nothing owed yet)."""
    started: list[ClockBot] = []

    def make(enabled: bool) -> ClockBot:
        settings = bot_settings.model_copy(
            update={
                "run_jobs": True,
                "jobs_interval_seconds": 3600,
                "monthly_summary_enabled": enabled,
            }
        )
        clock = TravellingClock(wita(2026, 3, 31, 6, 0))
        bot = ClockBot(settings, clock, store, monthly=month_renderer(console_config(settings)))
        started.append(bot)
        return bot

    yield make
    for bot in started:
        await bot.stop()


async def _groups(
    telegram: EmulatorClient, database_url: str
) -> tuple[ChatView, ChatView, ChatView]:
    coordinator, sepaso, _ = await setup_groups(telegram, database_url)
    await telegram.register_chat(BENGALON_GROUP, title="Kecamatan Bengalon", admins=[CAMAT.id])
    bengalon = ChatView(telegram, CAMAT, BENGALON_GROUP)
    await bind_area(coordinator, bengalon, database_url, BENGALON, "Kecamatan Bengalon")
    return coordinator, sepaso, bengalon


async def test_switched_off_no_group_receives_a_summary(
    bots: Bots, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    bot = bots(False)
    await bot.start()
    coordinator, _, bengalon = await _groups(telegram, database_url)
    siti = chat_of(SITI)
    await siti.consent()
    await file_report(siti, telegram)
    await bot.at(wita(2026, 4, 1, 9), telegram)  # the round ran and all it queued was sent
    assert _documents(await coordinator.messages()) == []
    assert _documents(await bengalon.messages()) == []


async def test_the_kecamatans_group_receives_its_own_page_once(
    bots: Bots, telegram: EmulatorClient, chat_of: ChatOf, database_url: str, tmp_path: Path
) -> None:
    bot = bots(True)
    await bot.start()
    coordinator, sepaso, bengalon = await _groups(telegram, database_url)
    siti = chat_of(SITI)
    await siti.consent()
    await file_report(siti, telegram)
    await bot.settle(telegram)
    assert _documents(await bengalon.messages()) == []

    await bot.at(wita(2026, 4, 1, 9), telegram)
    documents = _documents(await bengalon.messages())
    assert len(documents) == 1
    assert documents[0]["document"]["file_name"] == "ringkasan-2026-03.pdf"
    assert "Maret 2026" in documents[0]["caption"]
    assert len(_documents(await coordinator.messages())) == 1
    assert _documents(await sepaso.messages()) == []  # a desa gets none
    path = tmp_path / "kecamatan.pdf"
    path.write_bytes(await _download(telegram, documents[0]))
    text = " ".join((await asyncio.to_thread(pdf_text, path)).split())
    assert "Ringkasan bulanan: Maret 2026" in text
    assert "Kecamatan Bengalon" in text  # the page's scope
    assert "Laporan masuk: 1 (" in text

    await bot.at(wita(2026, 4, 1, 11), telegram)
    await bot.at(wita(2026, 4, 2, 9), telegram)
    assert len(_documents(await bengalon.messages())) == 1
