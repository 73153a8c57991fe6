"""Settings a region chooses for its groups: coordinator summaries, who sees an anonymous
reporter, and whether officers' names reach the citizen."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from cli.main import main as aduan
from emulator import EmulatorClient, TgUser
from runtime.settings import Settings
from tests.e2e.conftest import RunningBot, Settle
from tests.e2e.helpers import ChatOf, labels
from tests.e2e.scenario import Scenario
from tests.e2e.units import reply

RAHMAT = TgUser(id=7770002, first_name="Rahmat", username="rahmat_kutim")


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def bot_settings(bot_settings: Settings, overrides: dict[str, Any]) -> Settings:
    return bot_settings.model_copy(update=overrides)


@pytest.mark.parametrize("overrides", [{"coordinator_summaries_only": True}])
async def test_the_coordinator_can_get_one_line_per_report_instead_of_the_card(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    coordinator = scenario.coordinator
    number, _ = await scenario.file()
    summary = await coordinator.expect(f"Laporan baru {number}", {})
    assert "Desa Sepaso" in summary["text"]
    await settle()
    assert not any(f"📋 Laporan {number}" in t for t in await coordinator.texts())


@pytest.mark.parametrize("overrides", [{"coordinator_sees_identity": True}])
async def test_only_the_coordinator_sees_an_anonymous_reporter_when_allowed(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, citizen=RAHMAT)
    coordinator = scenario.coordinator
    number, desa_card = await scenario.file(privacy="Anonim")
    coordinator_card = await coordinator.expect(f"📋 Laporan {number}", {})
    assert "Pelapor: disembunyikan (anonim)" in desa_card["text"]
    assert "Rahmat" not in desa_card["text"]
    assert "Rahmat (@rahmat_kutim) — ANONIM" in coordinator_card["text"]


async def test_officer_names_reach_the_citizen_only_when_the_unit_chooses_so(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    number, card = await scenario.file()
    await scenario.verify(number)
    first = await reply(sepaso, card, "Kami cek sore ini.", expect_in=siti, expect="Kami cek")
    assert "Jawaban Desa Sepaso untuk laporan" in first["text"]
    assert "Pak Kades" not in first["text"]

    # The coordinator edits the unit with the CSV import: officers' names are shown from now on.
    units_file = tmp_path / "units.csv"
    units_file.write_text(
        "code,name,kind,parent,area_code,show_officer_name\ndesa-64-08-09-2001,,,,,true\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DATABASE_URL", database_url)
    # The command runs its own event loop, as it does from a shell.
    assert await asyncio.to_thread(aduan, ["units", "import", str(units_file)]) == 0
    second = await reply(sepaso, card, "Sudah kami angkut.", expect_in=siti, expect="Sudah kami")
    assert "Jawaban Desa Sepaso (Pak Kades) untuk laporan" in second["text"]
    assert "✍️ Balas / tambah info" in labels(second)
