"""Unit groups in end-to-end tests: binding groups, filing a report that reaches them, replying."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from runtime.clock import system_clock
from storage.db import create_engine, session_factory
from storage.models import ReportEvent, Unit, UnitChat
from storage.unit_registry import issue_binding_code
from storage.uow import UnitOfWork
from tests.e2e.helpers import JsonDict, callback_data, tracking_number
from tests.images import plain_jpeg

KOORDINATOR = TgUser(id=2001, first_name="Rina", last_name="Diskominfo")
KADES = TgUser(id=2002, first_name="Pak", last_name="Kades")
STAF_DESA = TgUser(id=2003, first_name="Dewi")
PUPR = TgUser(id=2004, first_name="Agus", last_name="PUPR")

COORDINATOR_GROUP = -1001001
SEPASO_GROUP = -1001002
PUPR_GROUP = -1001003

SEPASO = "64.08.09.2001"
PUPR_NAME = "Dinas Pekerjaan Umum dan Penataan Ruang"
SAMPAH = (
    "Sampah menumpuk di pinggir jalan dekat pasar Sepaso sudah dua minggu, bau dan banyak lalat."
)
CODE = re.compile(r"([0-9A-Z]{4}-[0-9A-Z]{4})")
#: How long :func:`card_in` waits for a card to show what the step changed.
CARD_TIMEOUT = 10.0


async def code_for(database_url: str, unit_code: str, *, issued_at: datetime | None = None) -> str:
    """A binding code, as ``aduan units code UNIT`` issues it (``issued_at``: back-dated)."""
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            unit = await uow.units.by_code(unit_code)
            assert unit is not None, unit_code
            code = await issue_binding_code(uow, unit.id, now=issued_at or system_clock())
            await uow.commit()
        return code
    finally:
        await engine.dispose()


async def unit_code_of_area(database_url: str, area_code: str) -> str:
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            unit = await uow.units.by_area(area_code)
            assert unit is not None, area_code
            return unit.code
    finally:
        await engine.dispose()


async def expired_code_for(database_url: str, unit_code: str) -> str:
    """A binding code issued long enough ago to have expired."""
    return await code_for(database_url, unit_code, issued_at=system_clock() - timedelta(days=60))


async def unit_chat(database_url: str, chat_id: int) -> UnitChat | None:
    """The binding row of a group chat (active or not), as the bot stored it."""
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            return await uow.units.chat("telegram", str(chat_id))
    finally:
        await engine.dispose()


async def unit_of(database_url: str, unit_id: int | None) -> Unit:
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            unit = await uow.units.get(unit_id) if unit_id is not None else None
            assert unit is not None, unit_id
            return unit
    finally:
        await engine.dispose()


async def event_kinds(database_url: str, report_id: int | None = None) -> list[str]:
    """The kinds of the reports' timeline events (of one report if given), oldest first."""
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            query = select(ReportEvent).order_by(ReportEvent.id)
            if report_id is not None:
                query = query.where(ReportEvent.report_id == report_id)
            return [row.kind for row in await uow.session.scalars(query)]
    finally:
        await engine.dispose()


@dataclass
class Groups:
    coordinator: ChatView
    desa: ChatView
    pupr: ChatView


async def bind(group: ChatView, code: str, unit_name: str) -> JsonDict:
    return await group.send(f"/daftar {code}", f"terdaftar untuk {unit_name}")


async def coordinator_code(coordinator: ChatView, unit_code: str) -> str:
    issued = await coordinator.send(f"/kode {unit_code}", "Kode pendaftaran")
    found = CODE.search(str(issued["text"]))
    assert found, issued["text"]
    return found.group(1)


async def bind_area(
    coordinator: ChatView, group: ChatView, database_url: str, area_code: str, unit_name: str
) -> JsonDict:
    """Bind ``group`` to the unit of ``area_code`` with a code from the coordinator's /kode."""
    unit_code = await unit_code_of_area(database_url, area_code)
    return await bind(group, await coordinator_code(coordinator, unit_code), unit_name)


async def register_groups(telegram: EmulatorClient) -> None:
    await telegram.register_chat(
        COORDINATOR_GROUP, title="Koordinator Aduan Kutim", admins=[KOORDINATOR.id]
    )
    await telegram.register_chat(
        SEPASO_GROUP, title="Pemdes Sepaso", admins=[KADES.id], members=[STAF_DESA.id]
    )
    await telegram.register_chat(PUPR_GROUP, title="Aduan Dinas PUPR", admins=[PUPR.id])


async def file_report(
    chat: ChatView,
    telegram: EmulatorClient,
    *,
    category: str = "Sampah & Lingkungan",
    kecamatan: str = "Bengalon",
    desa: str = "Sepaso",
    privacy: str = "Biasa",
    description: str = SAMPAH,
    submit: bool = True,
    opened: bool = False,
) -> str:
    """File a complaint with one photo from the main menu; returns its tracking number.

    With ``submit=False`` it stops on the summary screen (returns ''); with ``opened`` the
    first step is already on the screen (an officer's /loket opened it)."""
    if not opened:
        await chat.send("📝 Laporan baru", "Apa jenis laporan Anda?")
    await chat.press("Pengaduan", "Pilih kategori")
    await chat.press(category, "Di kecamatan mana")
    await chat.press(kecamatan, "Di desa/kelurahan mana")
    await chat.press(desa, "Tulis detail alamat")
    await chat.press("Lewati ➡️", "Kirim titik lokasi")
    await chat.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    await chat.send(description, "Kirim foto bukti")
    photo = plain_jpeg(len(description))
    await chat.do(lambda: telegram.send_photo(chat.user, photo), "📷 Foto diterima: 1/5.")
    await chat.press("✅ Selesai (1 foto)", "Pilih kerahasiaan laporan")
    await chat.press(privacy, "Periksa laporan Anda")
    if not submit:
        return ""
    done = await chat.press("📨 Kirim laporan", "Nomor laporan:")
    return tracking_number(done)


async def reply(
    chat: ChatView, to: JsonDict, text: str, *, expect_in: ChatView, expect: str
) -> JsonDict:
    """``chat.user`` replies (Telegram reply) to the bot message ``to`` in ``chat``."""
    return await expect_in.do(
        lambda: chat.telegram.send_text(
            chat.user, text, chat_id=chat.chat_id, reply_to=int(to["message_id"])
        ),
        expect,
    )


async def card_in(
    group: ChatView, number: str, *, showing: str = "", timeout: float = CARD_TIMEOUT
) -> JsonDict:
    """The newest card of report ``number`` in the group, once it shows ``showing``; fails when
    no card of it shows that within ``timeout`` seconds.

    A step's messages to different chats are sent concurrently, so the card's edit may land
    after the citizen's message the test waited for.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        texts = [(m, str(m.get("text", ""))) for m in await group.messages()]
        cards = [m for m, text in texts if f"📋 Laporan {number}" in text]
        if cards and showing in cards[-1]["text"]:
            return cards[-1]
        if loop.time() > deadline:
            assert cards, f"no card of {number} in {group.chat_id}"
            raise AssertionError(
                f"the card of {number} does not show {showing!r}: {cards[-1]['text']!r}"
            )
        await asyncio.sleep(0.05)


async def setup_groups(
    telegram: EmulatorClient, database_url: str, *, desa: bool = True
) -> tuple[ChatView, ChatView, ChatView]:
    await register_groups(telegram)
    coordinator = ChatView(telegram, KOORDINATOR, COORDINATOR_GROUP)
    sepaso = ChatView(telegram, KADES, SEPASO_GROUP)
    pupr = ChatView(telegram, PUPR, PUPR_GROUP)
    await bind(coordinator, await code_for(database_url, "diskominfo"), "Diskominfo")
    if desa:
        desa_code = await unit_code_of_area(database_url, SEPASO)
        await bind(sepaso, await coordinator_code(coordinator, desa_code), "Desa Sepaso")
    await bind(pupr, await coordinator_code(coordinator, "dinas-pupr"), PUPR_NAME)
    return coordinator, sepaso, pupr


#: The card's second screen (handlers/cards.py): the buttons used less often, and back.
MORE = "⋯ Lainnya"
BACK = "‹ Kembali"


async def more_of(chat: ChatView, number: str, *, user: TgUser | None = None) -> JsonDict:
    """``user`` (the chat's by default) presses ⋯ Lainnya under report ``number``'s card: the
    card, edited to show its other buttons. An earlier step's edit of the card (it redraws the
    first screen) may land just after the press, as it would for an officer, who presses again:
    so does this, three times at most, then fails."""
    presser = user or chat.user
    for _ in range(3):
        card = await card_in(chat, number)
        before = await chat.snapshot()
        await chat.telegram.press(
            presser, int(card["message_id"]), callback_data(card, MORE), chat_id=chat.chat_id
        )
        await chat.expect(number, before)
        card = await card_in(chat, number)
        rows = card.get("reply_markup", {}).get("inline_keyboard", [])
        if any(button.get("text") == BACK for row in rows for button in row):
            return card
    raise AssertionError(f"the card of {number} never stayed on its other buttons")
