"""The crash suite's bounded rounds (issue 15): ``bench.crash`` on a few citizens and kills.

Both shapes run the same driver as ``python -m bench crash`` (docs/operations.md):
three webhook workers on PostgreSQL behind a round-robin proxy, and one polling process on a
SQLite file. Citizens file reports, the desa group's officers verify, answer and finish them,
the bots' clock is moved so that reminders, escalations and auto-closes fall due, while a driver
SIGKILLs a random process at random moments and the emulator refuses some sends with 429 or
502. The SQLite shape has two citizens on WhatsApp besides (the fake Graph API, signed webhooks
posted again until the bot answers 200, as Meta does). Every check of the big run is asserted
here (:meth:`bench.crash.Figures.problems`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.crash import CrashConfig, Engine, run
from tests.databases import database_on

CITIZENS = int(os.environ.get("CRASH_CITIZENS", "4"))
KILLS = int(os.environ.get("CRASH_KILLS", "4"))
#: The SQLite shape's citizens on WhatsApp besides (one finishes, one waits for the clock).
WA_CITIZENS = int(os.environ.get("CRASH_WA_CITIZENS", "2"))


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request: pytest.FixtureRequest) -> Engine:
    value: Engine = request.param
    return value


@pytest.fixture
async def database_url(engine: Engine, tmp_path: Path) -> AsyncIterator[str]:
    async with database_on(engine, tmp_path) as url:
        yield url


@pytest.mark.slow
async def test_reports_notices_and_messages_survive_random_sigkills(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    wa_citizens = WA_CITIZENS if engine == "sqlite" else 0
    config = CrashConfig(
        citizens=CITIZENS,
        wa_citizens=wa_citizens,
        kills=KILLS,
        engine=engine,
        database_url=database_url,
        concurrency=CITIZENS,
        kill_gap=(0.5, 2.0),
        think=(0.05, 0.3),
        step_timeout=90.0,
        timeout=600.0,
        workdir=tmp_path / "crash",
    )
    figures = await run(config)
    print("\n" + "\n".join(figures.lines()))
    assert figures.problems() == []
    # What the checks rest on did happen: kills, notices, handled updates, sent messages.
    assert figures.kills == KILLS
    assert figures.notices_owed > 0
    assert figures.reports == CITIZENS + wa_citizens
    assert figures.sent == figures.committed > 0
    if wa_citizens:
        # WhatsApp citizens were played and their rows checked (crash_wa.WaFigures.problems).
        assert figures.wa is not None
        assert figures.wa.taken > 0
        assert figures.wa.rows_sent == figures.wa.rows > 0
