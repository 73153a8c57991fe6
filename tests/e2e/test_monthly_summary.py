"""The monthly summary through the emulator, on both frameworks: on the first working day of the
month the coordinator's group receives last month's one-page summary as a PDF document, once."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from emulator import EmulatorClient
from runtime.clock import TravellingClock
from runtime.settings import Settings
from tests.e2e.conftest import Store
from tests.e2e.helpers import SITI
from tests.e2e.test_clock import ChatOf, ClockBot, wita
from tests.e2e.test_data_rights import _documents, _download
from tests.e2e.units import file_report, setup_groups
from web.console.summary_pdf import month_renderer
from web.from_settings import console_config


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return done.stdout


@pytest.fixture
async def summary_bot(bot_settings: Settings, store: Store) -> AsyncIterator[ClockBot]:
    settings = bot_settings.model_copy(update={"run_jobs": True, "jobs_interval_seconds": 3600})
    # Tuesday 31 March 2026, before the morning time: nothing is owed yet. After it, February's
    # summary would be owed (a missed month is caught up), and whether the first round sent it
    # before the test looked depended on the round's timing (it did once in CI).
    clock = TravellingClock(wita(2026, 3, 31, 6, 0))
    bot = ClockBot(settings, clock, store, monthly=month_renderer(console_config(settings)))
    await bot.start()
    yield bot
    await bot.stop()


async def test_the_coordinators_group_receives_the_months_summary_as_a_pdf_once(
    summary_bot: ClockBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    tmp_path: Path,
) -> None:
    coordinator, sepaso, _ = await setup_groups(telegram, database_url)
    siti = chat_of(SITI)
    await siti.consent()
    await file_report(siti, telegram)
    await summary_bot.settle(telegram)
    assert _documents(await coordinator.messages()) == []

    # Wednesday 1 April: the first working day of the month, after the morning time.
    await summary_bot.at(wita(2026, 4, 1, 9), telegram)
    documents = _documents(await coordinator.messages())
    assert len(documents) == 1
    assert documents[0]["document"]["file_name"] == "ringkasan-2026-03.pdf"
    assert "Maret 2026" in documents[0]["caption"]
    assert _documents(await sepaso.messages()) == []
    path = tmp_path / "received.pdf"
    path.write_bytes(await _download(telegram, documents[0]))
    text = await asyncio.to_thread(pdf_text, path)
    assert "Ringkasan bulanan: Maret 2026" in text
    assert "Laporan masuk: 1 (" in text

    # Later rounds the same day and the next: nothing more.
    await summary_bot.at(wita(2026, 4, 1, 11), telegram)
    await summary_bot.at(wita(2026, 4, 2, 9), telegram)
    assert len(_documents(await coordinator.messages())) == 1
