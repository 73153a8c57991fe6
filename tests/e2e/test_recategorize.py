"""🏷 Ubah kategori end to end, on both frameworks: the real bot against the emulator. A member
without the officer's role is refused; the admin picks the right category, the card shows it,
the citizen is told briefly and the timeline records "Sampah & Lingkungan → Jalan & Jembatan";
a stale picker's button for the category it now has, and a picker pressed after the report was
archived, are refused with nothing changed."""

from __future__ import annotations

from sqlalchemy import select

from core.timeline import EventKind
from emulator import EmulatorClient
from storage.db import create_engine, session_factory
from storage.models import Report, ReportEvent
from storage.uow import UnitOfWork
from tests.e2e.conftest import RunningBot, Settle
from tests.e2e.helpers import ChatOf, labels
from tests.e2e.scenario import Scenario
from tests.e2e.units import KADES, SEPASO_GROUP, STAF_DESA, card_in, more_of

BUTTON = "🏷 Ubah kategori"
PICKER = "Pilih kategori yang benar"


async def category_and_notes(database_url: str, number: str) -> tuple[str, list[str]]:
    """The report's stored category and its category-change events' notes."""
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            report = await uow.reports.by_tracking_number(number)
            assert isinstance(report, Report)
            events = await uow.session.scalars(
                select(ReportEvent.note)
                .where(
                    ReportEvent.report_id == report.id, ReportEvent.kind == EventKind.RECATEGORIZED
                )
                .order_by(ReportEvent.id)
            )
            return report.category, list(events)
    finally:
        await engine.dispose()


async def last_answer(telegram: EmulatorClient) -> dict[str, object]:
    [answer] = (await telegram.callback_answers(SEPASO_GROUP))[-1:]
    return answer


async def test_change_category_from_the_card(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    number, _ = await scenario.file()
    assert BUTTON in labels(await more_of(sepaso, number))
    assert (await category_and_notes(database_url, number))[0] == "sampah"

    # A member of the group (not an officer) may not change it.
    await telegram.press_button(STAF_DESA, BUTTON, chat_id=SEPASO_GROUP)
    await settle()
    answer = await last_answer(telegram)
    assert "mengubah kategori laporan" in str(answer["text"])
    assert answer["show_alert"]
    assert PICKER not in str([m.get("text") for m in await sepaso.messages()])

    # Two pickers are open; the admin changes it in the newer one.
    await sepaso.press(BUTTON, "Kategori sekarang: Sampah & Lingkungan")
    await sepaso.press(BUTTON, "Kategori sekarang: Sampah & Lingkungan")
    heard = await siti.do(
        lambda: telegram.press_button(KADES, "Jalan & Jembatan", chat_id=SEPASO_GROUP),
        "diperbaiki menjadi Jalan & Jembatan",
    )
    assert "Laporan Anda tetap diproses" in str(heard["text"])
    await card_in(sepaso, number, showing="Jalan & Jembatan")
    category, notes = await category_and_notes(database_url, number)
    assert (category, notes) == ("jalan", ["Sampah & Lingkungan → Jalan & Jembatan"])
    status = await siti.send(f"/status {number}", "Riwayat")
    assert "Kategori diubah" in str(status["text"])

    # The older picker's button for the category it has now: refused, nothing changes.
    await telegram.press_button(KADES, "Jalan & Jembatan", chat_id=SEPASO_GROUP)
    await settle()
    answer = await last_answer(telegram)
    assert "sudah berkategori itu" in str(answer["text"])
    assert answer["show_alert"]

    # A picker opened before the report was archived.
    await more_of(sepaso, number)
    await sepaso.press(BUTTON, "Kategori sekarang: Jalan & Jembatan")
    await sepaso.press("🗄 Arsipkan", "alasan")
    await sepaso.press("Spam", "Diarsipkan")
    await telegram.press_button(KADES, "Air Bersih", chat_id=SEPASO_GROUP)
    await settle()
    answer = await last_answer(telegram)
    assert "diarsipkan" in str(answer["text"]).lower()
    assert answer["show_alert"]
    category, notes = await category_and_notes(database_url, number)
    assert (category, len(notes)) == ("jalan", 1)
