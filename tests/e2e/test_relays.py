"""One citizen cannot drown a unit's group (issue 18, finding 2).

With Telegram's group limit kept (20 messages a minute), a citizen who writes forty follow-ups as
fast as the app sends them fills the group's burst; everything after that is gathered into one
waiting message per report, so the officers' /antrian is answered within seconds instead of
behind minutes of relays, and every text still arrives.
"""

from __future__ import annotations

import pytest

from emulator import EmulatorClient
from runtime.settings import Settings
from tests.e2e.conftest import RunningBot, Store, text_of
from tests.e2e.helpers import SITI, ChatOf, Until
from tests.e2e.scenario import Scenario
from tests.e2e.units import KADES, SEPASO_GROUP

FOLLOW_UPS = 40


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    # The group's limit as on Telegram; private chats unpaced so the citizen's answers are quick.
    return bot_settings.model_copy(update={"outbox_group_per_minute": 20.0})


async def test_a_flood_of_follow_ups_is_gathered_and_the_group_stays_usable(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    until: Until,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    siti, sepaso = scenario.citizen, scenario.desa
    number, _ = await scenario.file()
    await scenario.verify(number)
    await siti.press("✍️ Balas / tambah info", "Silakan tulis jawaban")

    texts = [
        f"Tambahan ke-{i}: sampah makin banyak di sisi timur pasar." for i in range(FOLLOW_UPS)
    ]
    told_before = len(await siti.texts())
    handled_before = len(await store.inbox())
    for text in texts:
        await telegram.send_text(SITI, text)

    # Every follow-up is handled, and everything the citizen is told in answer has reached her.
    async def all_answered() -> bool:
        rows = (await store.inbox())[handled_before:]
        if len(rows) < FOLLOW_UPS or any(row.processed_at is None for row in rows):
            return False
        return all(
            row.sent_at is not None for row in await store.outbox() if row.chat_id == str(SITI.id)
        )

    await until(all_answered, 30)
    # "Diteruskan ke petugas" is said once for the burst (docs/how-it-works.md); a
    # follow-up past the group's budget is answered "tunggu" instead; nothing else is said.
    answers = (await siti.texts())[told_before:]
    assert sum("diteruskan ke petugas" in t for t in answers) == 1, answers
    assert all("diteruskan ke petugas" in t or "tunggu" in t for t in answers), answers
    relays = [
        row
        for row in await store.outbox()
        if row.chat_id == str(SEPASO_GROUP) and row.purpose == "relay" and row.sent_at is None
    ]
    assert len(relays) <= 3, len(relays)

    # The officers' own command goes before the citizen's flood.
    before = await sepaso.snapshot()
    await telegram.send_text(KADES, "/antrian", chat_id=SEPASO_GROUP)
    await sepaso.expect("Laporan terbuka", before, timeout=15)

    # Nothing the citizen was told "diteruskan" is lost: every such text reaches the group.
    told_relayed = FOLLOW_UPS - sum("tunggu" in t for t in await siti.texts())

    async def all_arrived() -> bool:
        shown = "\n".join(text_of(m) for m in await sepaso.messages())
        return sum(text in shown for text in texts) >= told_relayed

    await until(all_arrived, 60)
    gathered = [m for m in await sepaso.messages() if "pesan dari pelapor" in text_of(m)]
    assert gathered, "the waiting texts were gathered into one message with their count"
