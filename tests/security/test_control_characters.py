"""Control characters: removed where text enters (the chat, an Open311 POST), and never able to
break what goes out (``requests.xml`` stays well-formed XML even for a row stored dirty).

Newline and tab stay in a multi-line description; every other C0/C1 control character and any
lone surrogate goes.
"""

from __future__ import annotations

import json
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.telegram_events import to_event
from core.inputs import clean_text
from core.permissions import CaseAction
from handlers.events import Message
from storage.models import Report
from tests.integration.conversation_driver import Driver, buttons
from tests.integration.test_intake import USER, consent, to_step
from tests.integration.test_open311 import World, _posted, _world
from tests.integration.test_runtime import text_update


def _controls(text: str) -> list[str]:
    """The control characters in ``text`` other than newline and tab."""
    return [ch for ch in text if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cs")]


@pytest.mark.parametrize(
    ("given", "multiline", "kept"),
    [
        ("Jalan\x0b rusak\x1b[31m parah", True, "Jalan rusak[31m parah"),
        ("baris satu\r\nbaris dua\rtiga\n\tempat", True, "baris satu\nbaris dua\ntiga\n\tempat"),
        ("C1\x85 dan\x9b DEL\x7f dan NUL\x00", True, "C1 dan DEL dan NUL"),
        ("lone \ud800 surrogate \udfff", True, "lone  surrogate "),
        (
            "emoji 👍🏽 dan zero\u200dwidth joiner tetap",
            True,
            "emoji 👍🏽 dan zero\u200dwidth joiner tetap",
        ),
        ("alamat\nbaris dua\ttab", False, "alamat baris dua tab"),
        ("non\ufffe char\uffff", True, "non char"),
    ],
)
def test_clean_text(given: str, multiline: bool, kept: str) -> None:
    assert clean_text(given, multiline=multiline) == kept


@pytest.fixture
async def open311(tmp_path: Path) -> AsyncIterator[World]:
    async for made in _world(tmp_path):
        yield made


async def test_an_open311_post_is_stored_without_control_characters(open311: World) -> None:
    status, body = await open311.post(
        "/requests.json",
        _posted(
            description="Jembatan\x0b kayu\x1b patah,\r\nmotor tidak bisa\x00 lewat\x9b",
            address_string="Jl. Poros\x1b km 3\x0b, Desa Sepaso, Kec. Bengalon",
            account_id="akun\x1b-42",
        ),
    )
    assert status == 200, body
    answer = json.loads(body)[0]
    assert answer["account_id"] == "akun-42"
    async with open311.db.uow() as uow:
        report = await uow.reports.by_tracking_number(answer["service_request_id"])
    assert report is not None
    assert report.description == "Jembatan kayu patah,\nmotor tidak bisa lewat"
    assert report.address_detail == "Jl. Poros km 3"


async def test_requests_xml_stays_well_formed_with_a_dirty_stored_row(open311: World) -> None:
    """A row stored before input was cleaned: once verified, its words are public."""
    number = await open311.file_telegram_report(
        "biasa", "Sampah\x0b menumpuk\x1b di tepi\x08 jalan"
    )
    async with open311.db.uow() as uow:
        report = await uow.reports.by_tracking_number(number)
        assert report is not None
        report.address_detail = "RT 05\x0c dekat pasar"
        await uow.commit()
    await open311.act(number, CaseAction.VERIFY)
    await open311.act(number, CaseAction.NOTE, "Petugas\x1b berangkat")
    for path in ("/requests.xml", f"/requests/{number}.xml", "/requests"):
        status, body = await open311.get(path)
        assert status == 200
        root = ET.fromstring(body)  # raises on a malformed document
        item = next(r for r in root if r.findtext("service_request_id") == number)
        assert item.findtext("description") == "Sampah menumpuk di tepi jalan"
        assert item.findtext("status_notes") == "Petugas berangkat"
        assert (item.findtext("address") or "").startswith("RT 05 dekat pasar")


async def test_a_description_typed_in_the_chat_is_stored_without_control_characters(
    tmp_path: Path,
) -> None:
    """The chat's text enters as a Telegram update, mapped to an event as the bot maps it."""
    driver = Driver(tmp_path / "chat.db")
    await driver.start()

    async def send(text: str) -> dict[str, str]:
        event = to_event(text_update(USER, text), "telegram")
        assert isinstance(event, Message)
        return buttons(await driver._handle(event))

    try:
        await consent(driver)
        await to_step(driver, "address")
        await send("RT 05\x1b[2J dekat\x0b masjid")
        await send("Lewati lokasi ➡️")
        b = await send("Air PDAM\x0b mati\x1b total\nsejak tiga hari\x9b di RT 05.")
        b = buttons(await driver.press_data(USER, b["Lewati ➡️"]))
        b = buttons(await driver.press_data(USER, b["Biasa"]))
        await driver.press_data(USER, b["📨 Kirim laporan"])
        async with driver.factory() as session:
            report = await session.scalar(select(Report))
    finally:
        await driver.close()
    assert report is not None
    assert report.description == "Air PDAM mati total\nsejak tiga hari di RT 05."
    assert report.address_detail == "RT 05[2J dekat masjid"
    assert _controls(report.description + report.address_detail) == []
