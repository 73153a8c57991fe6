"""A citizen's removal (/dataku → 🗑 Hapus data saya) when the bot is SIGKILLed in the middle of
it (issue 29: "nothing half-done survives a SIGKILL"). A real ``aduan run`` process makes itself
SIGKILL at ``rights.erase`` (``core.crash_points``): the removal has done all its work in its
transaction (the report's reporter moved to the placeholder, the request recorded, the card's
edit and the citizen's answer queued) and has not committed it. After the restart the press is
still in the inbox and is handled again: the removal is done once, the card says so, one request
row records it and the citizen gets one answer. The same for the clock's retention round
(``retention.identities``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.timeline import EventKind
from emulator import EmulatorClient
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.models import (
    Citizen,
    DataRequest,
    Report,
    ReportDay,
    ReportEvent,
    ReportMonthCategory,
    ReportMonthDays,
    ReportPhoto,
)
from storage.rights import erased_reason
from tests.e2e.conftest import BotProcess, ForkServer
from tests.e2e.helpers import SITI, ChatOf, Until
from tests.e2e.scenario import Scenario
from tests.e2e.test_crash_recovery import START_TIMEOUT, polling, settled
from tests.e2e.units import card_in, reply

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest itself
    from tests.e2e.conftest import Store

ERASED = "dihapus dari laporan"


async def _db(database_url: str, query: Any) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            return list((await session.execute(query)).all())
    finally:
        await engine.dispose()


async def _filed_and_closed(scenario: Scenario) -> str:
    """Siti's report filed, verified, finished by the desa and confirmed by her: its number."""
    siti = scenario.citizen
    number, _ = await scenario.file()
    await scenario.verify(number)
    prompt = await scenario.desa.press("🏁 Selesai", "jawaban akhir")
    await reply(scenario.desa, prompt, "Sampah sudah diangkut.", expect_in=siti, expect="diangkut")
    await siti.press("👍 Sudah selesai", "Seberapa puas")
    return number


async def test_a_removal_killed_inside_its_transaction_is_done_once_after_the_restart(
    bot_settings: Settings,
    tmp_path: Path,
    fork_server: ForkServer,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    until: Until,
    database_url: str,
) -> None:
    marker = tmp_path / "killed-at-erase"
    bot = BotProcess(
        bot_settings, tmp_path, fork_server, {"TEST_CRASH_POINT": f"rights.erase@{marker}"}
    )
    bot.start()
    await polling(telegram, until)
    scenario = await Scenario.start(telegram, database_url, chat_of)
    scenario.timeout = START_TIMEOUT
    siti = scenario.citizen
    number = await _filed_and_closed(scenario)
    await siti.send("/dataku", "Data Anda yang kami simpan")
    await siti.press("🗑 Hapus data saya", "Menghapus data Anda")
    await settled(store, telegram, until)

    # The press that removes: the process kills itself inside the removal's transaction.
    assert bot.process is not None
    await telegram.press_button(SITI, "🗑 Ya, hapus")

    async def died() -> bool:
        return bot.process is not None and bot.process.poll() is not None

    await until(died, START_TIMEOUT)
    assert marker.exists()  # it died at the crash point, not elsewhere
    # Nothing of it survived: the reporter is Siti, no request row, no answer.
    [(reporter,)] = await _db(
        database_url,
        select(Citizen.user_id).join(Report, Report.citizen_id == Citizen.id),
    )
    assert reporter == str(SITI.id)
    assert await _db(database_url, select(DataRequest.id).where(DataRequest.kind == "erase")) == []
    assert not any(ERASED in t for t in await siti.texts())

    # Restarted: the press is handled again, and this time to the end, once.
    bot.start()
    await siti.expect(ERASED, {}, timeout=START_TIMEOUT)
    await settled(store, telegram, until)
    await card_in(scenario.desa, number, showing="dihapus atas permintaan", timeout=START_TIMEOUT)
    [(citizen,)] = await _db(
        database_url, select(Citizen).join(Report, Report.citizen_id == Citizen.id)
    )
    assert erased_reason(citizen) == "request"
    assert not citizen.name
    assert not citizen.chat_id
    assert await _db(database_url, select(Citizen.id).where(Citizen.user_id == str(SITI.id))) == []
    requests = select(DataRequest.kind, DataRequest.outcome).where(DataRequest.kind == "erase")
    assert await _db(database_url, requests) == [("erase", "granted")]
    assert sum(ERASED in t for t in await siti.texts()) == 1
    assert bot.terminate() == 0


async def _rollup(database_url: str) -> list[Any]:
    rows: list[Any] = []
    for table in (ReportDay, ReportMonthCategory, ReportMonthDays):
        rows += sorted(tuple(r) for r in await _db(database_url, select(*table.__table__.columns)))
    return rows


async def test_a_retention_round_killed_half_way_finishes_once_after_the_restart(
    bot_settings: Settings,
    tmp_path: Path,
    fork_server: ForkServer,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    until: Until,
    database_url: str,
) -> None:
    """The clock's daily retention round, in a real process with the clock's jobs on, two years
    and more after a report closed: killed inside its first transaction (the identity taken off,
    not committed), restarted, the round runs again on start and finishes: the reporter is
    pseudonymised once, the evidence removed with one timeline line, the roll-up unmoved."""
    offset = tmp_path / "clock-offset"
    offset.write_text("0\n")
    settings = bot_settings.model_copy(update={"test_clock_offset_file": offset})
    bot = BotProcess(settings, tmp_path, fork_server)
    bot.start()
    await polling(telegram, until)
    scenario = await Scenario.start(telegram, database_url, chat_of)
    scenario.timeout = START_TIMEOUT
    await _filed_and_closed(scenario)
    await settled(store, telegram, until)
    assert bot.terminate() == 0
    rollup = await _rollup(database_url)
    photos = select(func.count()).select_from(ReportPhoto)
    assert await _db(database_url, photos) == [(1,)]

    # 800 days on, the clock's jobs on: the round starts with the bot and is killed in it.
    offset.write_text(f"{timedelta(days=800).total_seconds():.3f}\n")
    marker = tmp_path / "killed-in-retention"
    crash = {"RUN_JOBS": "true", "TEST_CRASH_POINT": f"retention.identities@{marker}"}
    bot = BotProcess(settings, tmp_path, fork_server, crash)
    bot.start()

    async def died() -> bool:
        return bot.process is not None and bot.process.poll() is not None

    await until(died, START_TIMEOUT)
    assert marker.exists()
    reporter = select(Citizen.user_id).join(Report, Report.citizen_id == Citizen.id)
    assert await _db(database_url, reporter) == [(str(SITI.id),)]  # nothing of it survived
    assert await _db(database_url, photos) == [(1,)]

    bot.start()

    async def finished() -> bool:
        [(user_id,)] = await _db(database_url, reporter)
        return user_id != str(SITI.id) and await _db(database_url, photos) == [(0,)]

    await until(finished, START_TIMEOUT)
    [(citizen,)] = await _db(
        database_url, select(Citizen).join(Report, Report.citizen_id == Citizen.id)
    )
    assert erased_reason(citizen) == "retention"
    lines = select(ReportEvent.note).where(ReportEvent.kind == EventKind.RETAINED)
    assert await _db(database_url, lines) == [("1",)]
    assert await _rollup(database_url) == rollup
    assert bot.terminate() == 0
