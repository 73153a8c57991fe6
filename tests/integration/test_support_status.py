"""/status and laporan serupa on a real SQLite file: the reporter sees how many citizens support
their report, and a supporter may look the report up (its public status, never who filed it).
Only a verified biasa report is offered, so the unit verifies it first (the case-work world)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.permissions import CaseAction
from tests.integration.case_world import World
from tests.integration.conversation_driver import Driver, buttons, texts
from tests.integration.test_intake import USER, consent, to_step

SUPPORTER = 6006
STRANGER = 7007
DESCRIPTION = "Air PDAM mati total sejak tiga hari di RT 05."


@pytest.fixture
async def driver(world: World) -> AsyncIterator[Driver]:
    d = Driver(world.db.url)
    await d.start()
    world.clock.set(d.clock.now)
    yield d
    await d.close()


async def file_and_support(d: Driver, world: World) -> str:
    await consent(d)
    b = await to_step(d, "photos")
    b = buttons(await d.press_data(USER, b["Lewati ➡️"]))
    b = buttons(await d.press_data(USER, b["Biasa"]))
    sent = await d.press_data(USER, b["📨 Kirim laporan"])
    number = texts(sent)[-1].split("Nomor laporan: ")[1].split("\n")[0]
    async with world.db.uow() as uow:
        report = await uow.reports.by_tracking_number(number)
        assert report is not None
    await world.act(report.id, CaseAction.VERIFY)
    await consent(d, SUPPORTER)
    offer = await to_step(d, "description", SUPPORTER)
    supported = await d.press_data(SUPPORTER, offer["👍 Dukung laporan ini (no. 1)"])
    assert any("Anda kini mendukung laporan" in t for t in texts(supported))
    return number


async def test_the_reporter_sees_the_support_count_in_status(driver: Driver, world: World) -> None:
    number = await file_and_support(driver, world)
    own = texts(await driver.text(USER, f"/status {number}"))[0]
    assert "Didukung 1 warga lain" in own
    assert DESCRIPTION in own  # the reporter's own report, in full


async def test_a_supporter_sees_the_public_status_never_who_or_the_description(
    driver: Driver, world: World
) -> None:
    number = await file_and_support(driver, world)
    shown = texts(await driver.text(SUPPORTER, f"/status {number}"))[0]
    assert number in shown
    assert "yang Anda dukung" in shown
    assert "Sudah diteruskan ke unit" in shown
    assert "Didukung 1 warga lain" in shown
    assert "Riwayat:" in shown
    assert DESCRIPTION not in shown  # it may name people
    assert "Kerahasiaan" not in shown  # the reporter's choices stay theirs
    await consent(driver, STRANGER)
    stranger = texts(await driver.text(STRANGER, f"/status {number}"))[0]
    assert "tidak ditemukan, atau bukan laporan Anda" in stranger
