"""WhatsApp delivery statuses end to end (issue 30): the fake Graph API posts each message's
statuses as signed webhooks; the bot keeps them per message beside its outbox row, in whatever
order and however often they come; a message that fails on its way is sent again (passing
trouble) or surfaced to the unit and on the report's timeline (for good)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from core.timeline import EventKind, event_words
from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp
from emulator.whatsapp_statuses import Status
from locales import Catalogs
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage, ReportEvent, WhatsAppDelivery, WhatsAppHeld
from tests.e2e import test_whatsapp_citizen as citizen_tests
from tests.e2e.conftest import RunningBot, wait_until
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import Scenario
from tests.e2e.test_whatsapp_citizen import NAME, WA_ID, file_on_whatsapp
from tests.e2e.units import KADES, card_in
from tests.whatsapp.citizen import WaCitizen, text_of

# The WhatsApp tests' fixtures: the fake Graph API and the bot with WhatsApp on.
fake = citizen_tests.fake
wa_bot = citizen_tests.wa_bot


async def _rows(database_url: str, statement: Any) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            return list((await session.execute(statement)).all())
    finally:
        await engine.dispose()


def _deliveries(database_url: str) -> Callable[[], Awaitable[list[Any]]]:
    """The citizen's messages as the bot stored them: (wamid, status, attempt, code, text)."""

    async def read() -> list[Any]:
        return await _rows(
            database_url,
            select(
                WhatsAppDelivery.wamid,
                WhatsAppDelivery.status,
                WhatsAppDelivery.attempt,
                WhatsAppDelivery.error_code,
                OutboxMessage.id,
            )
            .join(OutboxMessage, OutboxMessage.id == WhatsAppDelivery.outbox_id)
            .where(OutboxMessage.chat_id == WA_ID)
            .order_by(WhatsAppDelivery.created_at),
        )

    return read


def _shuffled(statuses: list[Status]) -> list[Status]:
    """Meta's worst: read first, then the rest backwards, then all of it again."""
    return [("read", None, ""), *reversed(statuses), *statuses]


async def test_statuses_are_kept_per_message_and_a_passing_failure_is_sent_again(
    wa_bot: RunningBot, fake: FakeWhatsApp, database_url: str
) -> None:
    deliveries = _deliveries(database_url)
    citizen = WaCitizen(fake, WA_ID, NAME)
    fake.statuses.order = _shuffled
    await citizen.send("Halo", "Apakah Anda setuju?")
    await fake.statuses.settled()
    sent = {m["id"] for m in citizen.mine()}

    async def all_read() -> bool:
        rows = await deliveries()
        return {r.wamid for r in rows} == sent and {r.status for r in rows} == {"read"}

    await wait_until(all_read)  # a late "delivered" or "sent" never replaced "read"
    assert all(answer == 200 for _, _, answer in fake.statuses.posted)

    # The next message fails on its way with Meta's "service unavailable": sent again.
    fake.statuses.order = list
    fake.statuses.fail_next(WA_ID, 131016, "Service unavailable")
    after = len(fake.sent)
    menu = await citizen.press("✅ Saya setuju", "Silakan pilih menu")
    first = next(m for m in fake.sent[after:] if m.get("to") == WA_ID)  # the one that failed
    failed_id, failed_text = first["id"], text_of(first)

    async def resent() -> bool:
        rows = await deliveries()
        return any(r.attempt == 2 and r.status == "delivered" for r in rows)

    await wait_until(resent)
    rows = {r.wamid: r for r in await deliveries()}
    assert (rows[failed_id].status, rows[failed_id].error_code) == ("failed", 131016)
    again = [r for r in rows.values() if r.attempt == 2]
    assert len(again) == 1
    assert again[0].id != rows[failed_id].id  # a new outbox row
    assert [text_of(m) for m in citizen.mine()].count(failed_text) == 2
    assert "Silakan pilih menu" in text_of(menu)
    assert fake.refused == []


async def test_a_message_that_fails_for_good_is_surfaced_to_the_unit(
    wa_bot: RunningBot,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    citizen = WaCitizen(fake, WA_ID, NAME)
    number = await file_on_whatsapp(citizen)
    await card_in(scenario.desa, number)

    # The verification notice is accepted, then Meta says the number cannot receive it.
    fake.statuses.fail_next(WA_ID, 131026, "Message undeliverable")
    before = await scenario.desa.snapshot()
    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=scenario.desa.chat_id)
    told = await scenario.desa.expect("Pesan WhatsApp ke pelapor laporan", before)
    assert number in str(told["text"])
    assert "tidak dapat menerima pesan" in str(told["text"])
    assert WA_ID not in str(told["text"])

    events = await _rows(
        database_url,
        select(ReportEvent.note).where(ReportEvent.kind == EventKind.UNDELIVERABLE),
    )
    assert [e.note for e in events] == ["wa_undeliverable"]
    # The console's report page reads the event in the locale's words.
    words = event_words(EventKind.UNDELIVERABLE.value, "wa_undeliverable")
    assert Catalogs("id").get("id").t(words.key).startswith("Pesan WhatsApp ke pelapor gagal")
    # Not sent again: a number that cannot receive messages will not by trying.
    await fake.statuses.settled()
    rows = await _deliveries(database_url)()
    assert [r.attempt for r in rows if r.error_code == 131026] == [1]
    assert all(r.attempt == 1 for r in rows)


async def test_a_message_refused_for_the_window_on_its_way_waits_for_the_citizen(
    wa_bot: RunningBot,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    """Meta accepted the verification notice, then its status said 131047 (the window shut
    between the bot's check and Meta's): the notice is kept (not lost), the unit is told, and
    it goes when the citizen next writes."""
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    citizen = WaCitizen(fake, WA_ID, NAME)
    number = await file_on_whatsapp(citizen)
    await card_in(scenario.desa, number)

    fake.statuses.fail_next(WA_ID, 131047, "Re-engagement message")
    before = await scenario.desa.snapshot()
    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=scenario.desa.chat_id)
    await scenario.desa.expect("Pesan disimpan dan dikirim begitu pelapor menulis", before)
    await fake.statuses.settled()
    held = await _rows(database_url, select(WhatsAppHeld.reason, WhatsAppHeld.released_at))
    assert [(h.reason, h.released_at) for h in held] == [("131047", None)]

    # The kept notice (it names the report) goes when the citizen writes again.
    await citizen.send("halo", number)
    held = await _rows(database_url, select(WhatsAppHeld.released_at))
    assert [h.released_at is not None for h in held] == [True]
