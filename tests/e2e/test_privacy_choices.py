"""Biasa, anonim and rahasia mean on the groups' cards what ``core.disclosure`` says (issue 18,
finding 5): a confidential reporter's name reaches the coordinator's group only."""

from __future__ import annotations

import pytest

from core.disclosure import Audience, disclosure
from core.lifecycle import Privacy
from emulator import EmulatorClient, TgUser
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import ChatOf, labels, walk_to
from tests.e2e.scenario import Scenario
from tests.e2e.units import card_in

WARGA = TgUser(id=7770002, first_name="Nurul", last_name="Aini", username="nurul_sepaso")
LABELS = {Privacy.BIASA: "Biasa", Privacy.ANONIM: "Anonim", Privacy.RAHASIA: "Rahasia"}


@pytest.mark.parametrize("privacy", list(Privacy))
async def test_each_group_sees_the_reporter_as_the_choice_allows(
    privacy: Privacy,
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, citizen=WARGA)
    coordinator, sepaso = scenario.coordinator, scenario.desa
    number, _ = await scenario.file(privacy=LABELS[privacy])
    groups = ((sepaso, Audience.UNIT_GROUP), (coordinator, Audience.COORDINATOR_GROUP))
    for group, audience in groups:
        card = await card_in(group, number)
        shown = disclosure(privacy, audience).reporter
        for secret in ("Nurul", "nurul_sepaso"):
            assert (secret in card["text"]) is shown, (audience, secret, card["text"])


async def test_the_privacy_screen_explains_the_choices(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf
) -> None:
    citizen = chat_of(WARGA)
    screen = await walk_to(citizen, "privacy", consent=True)
    assert "nama Anda hanya dilihat koordinator" in screen["text"]
    assert "❔ Apa bedanya?" in labels(screen)
    explained = await citizen.press("❔ Apa bedanya?", "Bedanya:")
    assert "tidak pernah ditampilkan ke publik" in explained["text"]
    await citizen.press("Rahasia", "Periksa laporan Anda")
