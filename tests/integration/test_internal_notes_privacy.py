"""An internal note never leaves the unit and the coordinator: each place a citizen or the public
reads a report is checked with a note carrying a word nobody else writes. The reporter's and a
supporter's 🔎 Cek status (the chat, on each engine), every message queued for a citizen, and
Open311's requests in JSON and XML. The console's page and exports: test_console_notes.py."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from core.permissions import CaseAction
from storage.models import Citizen, OutboxMessage
from tests.integration.case_world import World
from tests.integration.conversation_driver import Driver, texts
from tests.integration.test_intake import USER
from tests.integration.test_open311 import World as ApiWorld
from tests.integration.test_open311 import _world, wita
from tests.integration.test_support_status import SUPPORTER, driver, file_and_support

__all__ = ["driver"]  # the fixture

WORD = "Zirkonium"


async def citizen_messages(world: World) -> list[str]:
    """Every message queued for a citizen's private chat."""
    async with world.db.uow() as uow:
        chats = set(await uow.session.scalars(select(Citizen.chat_id)))
        rows = await uow.session.scalars(select(OutboxMessage))
        return [str(r.payload.get("text", "")) for r in rows if r.chat_id in chats]


async def test_the_reporter_and_a_supporter_never_read_a_note(driver: Driver, world: World) -> None:
    number = await file_and_support(driver, world)
    async with world.db.uow() as uow:
        report = await uow.reports.by_tracking_number(number)
        assert report is not None
    heard_before = await citizen_messages(world)
    await world.act(report.id, CaseAction.INTERNAL_NOTE, note=f"Dicek lapangan {WORD}")

    assert await citizen_messages(world) == heard_before  # nothing new for any citizen
    own = texts(await driver.text(USER, f"/status {number}"))[0]
    shown = texts(await driver.text(SUPPORTER, f"/status {number}"))[0]
    for screen in (own, shown):
        assert "Riwayat:" in screen
        assert WORD not in screen
        assert "Catatan internal" not in screen  # not even that there is one
    assert not any(WORD in text for text in await citizen_messages(world))


async def test_open311_never_shows_a_note(tmp_path: Path) -> None:
    async for api in _world(tmp_path):
        await _open311(api)


async def _open311(api: ApiWorld) -> None:
    number = api.numbers["biasa"]
    api.clock.set(wita(3, 3))
    await api.act(number, CaseAction.VERIFY)
    await api.act(number, CaseAction.NOTE, "Truk sampah dijadwalkan Kamis")
    _, before = await api.get_json(f"/requests/{number}.json")
    api.clock.set(wita(3, 4))
    await api.act(number, CaseAction.INTERNAL_NOTE, f"Tunggu anggaran {WORD}")

    _, one = await api.get_json(f"/requests/{number}.json")
    changed = {k: (v, one[0].get(k)) for k, v in before[0].items() if one[0].get(k) != v}
    assert changed == {}  # the same answer: not even "updated" moved
    assert one[0]["status_notes"] == "Truk sampah dijadwalkan Kamis"
    await api.get_xml(f"/requests/{number}.xml")
    await api.get_json("/requests.json")
    await api.get_xml("/requests.xml")
    assert all(WORD.encode() not in body for body in api.bodies)
