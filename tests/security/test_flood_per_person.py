"""Flood control counts per person: one member flooding a unit's group silences nobody else.

The end-to-end test runs the real bot against the loopback emulator with the product's flood limit
(``real_flood_control``); the e2e folder's fixtures are borrowed from its conftest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from handlers.events import ChatKind
from handlers.flood import Window, count_person
from tests.e2e import conftest as e2e
from tests.e2e.helpers import SITI
from tests.e2e.units import (
    KADES,
    SEPASO_GROUP,
    STAF_DESA,
    event_kinds,
    file_report,
    setup_groups,
)
from tests.integration.conversation_driver import Driver, texts

# The end-to-end fixtures, borrowed from tests/e2e/conftest.py.
engine_name = e2e.engine_name
database_url = e2e.database_url
framework = e2e.framework
bot_settings = e2e.bot_settings
running_bot = e2e.running_bot
store = e2e.store
settle = e2e.settle
chat_of = e2e.chat_of

ChatOf = Callable[[TgUser], ChatView]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that runs the bot runs on the pairs of framework and engine the e2e folder uses."""
    if "framework" in metafunc.fixturenames:
        pairs = e2e.pairing(metafunc.definition.originalname)
        ids = [f"{framework}-{engine}" for framework, engine in pairs]
        metafunc.parametrize(("framework", "engine_name"), pairs, indirect=True, ids=ids)


#: Well past the limit of 20 bot-addressed updates per 10 seconds.
FLOOD = 30


@pytest.mark.real_flood_control
async def test_a_member_flooding_the_group_does_not_silence_the_admins_answer(
    running_bot: e2e.RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: e2e.Store,
    settle: e2e.Settle,
) -> None:
    _, sepaso, _ = await setup_groups(telegram, database_url)
    siti = chat_of(SITI)
    await siti.consent()
    number = await file_report(siti, telegram)
    card = await sepaso.expect(f"📋 Laporan {number}", {})
    await settle()
    before = len(await sepaso.messages())

    # A member of the desa group sends /antrian again and again, well within 10 seconds; then,
    # past the limit, the same member verifies the report by its button and adds a follow-up
    # note, and the village head answers the citizen by replying to the card. Sent at once,
    # so that they come while the member's window still runs.
    for _ in range(FLOOD):
        await telegram.send_text(STAF_DESA, "/antrian", chat_id=SEPASO_GROUP)
    await telegram.press_button(STAF_DESA, "✅ Verifikasi", chat_id=SEPASO_GROUP)
    await telegram.send_text(
        STAF_DESA, f"/tindaklanjut {number} Truk DLH dijadwalkan besok.", chat_id=SEPASO_GROUP
    )
    await telegram.send_text(
        KADES,
        "Petugas kebersihan dijadwalkan besok pagi.",
        chat_id=SEPASO_GROUP,
        reply_to=int(card["message_id"]),
    )
    answer = await siti.expect("Petugas kebersihan dijadwalkan besok pagi.", {}, timeout=20)
    assert "Jawaban Desa Sepaso untuk laporan" in answer["text"]
    [report] = await store.reports()
    assert report.status == "diproses"
    kinds = await event_kinds(database_url, report.id)
    assert [k for k in kinds if k in {"vf", "tl", "ans"}] == ["vf", "tl", "ans"]

    # The flooding member got the queue at most 20 times and one polite warning, by name.
    await settle()
    replies = [str(m.get("text", "")) for m in (await sepaso.messages())[before:]]
    warnings = [r for r in replies if "pelan-pelan" in r]
    assert len(warnings) == 1
    assert STAF_DESA.first_name in warnings[0]
    queues = [r for r in replies if "Laporan terbuka" in r]
    assert 0 < len(queues) <= 20
    assert len(queues) + len(warnings) < FLOOD
    assert any("dicatat" in r for r in replies)
    assert any("sudah diverifikasi" in r for r in await siti.texts())


# --- the limiter, and the conversations driven event by event --------------------------------

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SPAN = timedelta(seconds=10)
MEMBER, OTHER = 5001, 5002


def test_the_limiter_counts_each_person_on_their_own() -> None:
    windows: dict[str, dict[str, object]] = {}
    for n in range(25):
        windows, member = count_person(windows, "a", START + timedelta(seconds=n * 0.1), SPAN)
    assert member.count == 25
    windows, other = count_person(windows, "b", START + timedelta(seconds=3), SPAN)
    assert other.count == 1
    assert set(windows) == {"a", "b"}
    # A window ends 10 seconds after it began; an ended window is forgotten when another counts.
    windows, other = count_person(windows, "b", START + SPAN, SPAN)
    assert other.count == 2
    assert set(windows) == {"b"}
    windows, member = count_person(windows, "a", START + SPAN, SPAN)
    assert member == Window(start=START + SPAN, count=1)
    # A clock stepped back starts a new window instead of keeping the person silenced.
    windows, member = count_person(windows, "a", START, SPAN)
    assert member.count == 1


@pytest.fixture
async def driver(database_url: str) -> AsyncIterator[Driver]:
    d = Driver(database_url)
    await d.start()
    yield d
    await d.close()


async def test_a_member_flooding_a_group_does_not_silence_another(driver: Driver) -> None:
    driver.gap = timedelta(seconds=0.1)
    flooded: list[str] = []
    for _ in range(FLOOD):
        flooded += texts(await driver.text(MEMBER, "/antrian", kind=ChatKind.GROUP))
    assert len(flooded) == 21  # the first 20 answered, then one warning, then silence
    # Someone else in the same group, within the same 10 seconds, is answered.
    other = texts(await driver.text(OTHER, "/antrian", kind=ChatKind.GROUP))
    assert len(other) == 1
    assert "belum terdaftar" in other[0]
    assert await driver.text(MEMBER, "/antrian", kind=ChatKind.GROUP) == []
    # The warning names whom it is for.
    assert flooded[-1].startswith("Mohon pelan-pelan, Siti")
