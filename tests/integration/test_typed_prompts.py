"""An officer who types after a prompt instead of replying (issue 12, defect 4), at unit speed on
a real SQLite file: heard within the window, told when the prompt expired, never confused with a
colleague's chatter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.models import OutboxMessage
from tests.integration.test_nothing_lost_machine import (
    CITIZEN,
    DESA_CHAT,
    KADES,
    STAF,
    NothingLost,
)


@pytest.fixture
def desa() -> Iterator[NothingLost]:
    world = NothingLost()
    world.a_desa_with_an_anonymous_report()
    world.officer_presses_a_card_action("✅ Verifikasi", KADES)
    world.officer_presses_a_card_action("❓ Minta info", KADES)
    yield world
    world.teardown()


def _texts(rows: list[OutboxMessage], chat: str) -> list[str]:
    return [str(r.payload.get("text", "")) for r in rows if r.chat_id == chat]


def test_the_officers_next_message_is_the_question(desa: NothingLost) -> None:
    chatter = desa.run(desa._handle(desa._message(STAF, DESA_CHAT, text="Saya ke lokasi")))
    assert chatter == []  # a colleague's chatter is not the question
    sent = desa.run(desa._handle(desa._message(KADES, DESA_CHAT, text="Sejak kapan?")))
    assert any("Sejak kapan?" in text for text in _texts(sent, CITIZEN.user_id))
    assert desa.run(desa._report()).status == "menunggu_pelapor"
    later = desa.run(desa._handle(desa._message(KADES, DESA_CHAT, text="Ngobrol lagi")))
    assert later == []  # answered: the prompt does not catch later chatter


def test_a_prompt_left_too_long_expires_with_a_word(desa: NothingLost) -> None:
    desa.clock.advance(minutes=20)
    sent = desa.run(desa._handle(desa._message(KADES, DESA_CHAT, text="Sejak kapan?")))
    assert _texts(sent, CITIZEN.user_id) == []
    [told] = _texts(sent, DESA_CHAT)
    assert "kedaluwarsa" in told
    assert desa.run(desa._report()).status == "didisposisi"
    again = desa.run(desa._handle(desa._message(KADES, DESA_CHAT, text="Halo")))
    assert again == []
