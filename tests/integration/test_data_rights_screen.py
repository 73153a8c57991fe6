"""/dataku's screen fits one Telegram message however many reports a citizen has (the copy
lists them all), and a citizen who never agreed is told that nothing is held."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from handlers.rights_text import SHOWN_REPORTS
from storage.models import Citizen, Report
from tests.integration.conversation_driver import Driver, texts

USER = 5003
MANY = SHOWN_REPORTS + 25


@pytest.fixture
async def driver(tmp_path: Path) -> AsyncIterator[Driver]:
    d = Driver(tmp_path / "aduan.db")
    await d.start()
    yield d
    await d.close()


async def test_the_screen_lists_forty_reports_and_counts_the_rest(driver: Driver) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    async with driver.factory() as session:
        citizen = Citizen(
            channel="telegram",
            user_id=str(USER),
            chat_id=str(USER),
            name="Warga " + "panjang " * 20,
            consent_at=now,
            consent_version="1",
            created_at=now,
        )
        session.add(citizen)
        await session.flush()
        for n in range(MANY):
            session.add(
                Report(
                    tracking_no=f"ADU-2611-{n:04d}",
                    citizen_id=citizen.id,
                    channel="telegram",
                    report_type="pengaduan",
                    category="sampah",
                    region_code="64.08.09.2001",
                    description="Sampah menumpuk " * 40,
                    privacy="biasa",
                    status="baru",
                    created_at=now,
                    updated_at=now,
                )
            )
        await session.commit()
    [screen] = texts(await driver.text(USER, "/dataku"))
    assert len(screen) <= 4096
    assert f"Laporan Anda: {MANY}" in screen
    assert "ADU-2611-0000" in screen
    assert f"ADU-2611-{MANY - 1:04d}" not in screen
    assert "dan 25 laporan lainnya" in screen


async def test_nothing_is_held_about_someone_who_never_agreed(driver: Driver) -> None:
    [said] = texts(await driver.text(USER + 1, "/dataku"))
    assert "Kami tidak menyimpan data pribadi apa pun tentang Anda." in said
    assert "sesuai jadwal retensi arsip" in said
