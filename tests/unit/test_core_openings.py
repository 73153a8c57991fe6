"""Which first message starts a report (issue 26, item 4): the rule of core/openings.py."""

import pytest

from core.openings import opens_a_report


@pytest.mark.parametrize(
    "text",
    [
        "Halo, saya mau lapor jalan rusak",
        "Selamat pagi pak, lampu jalan di RT 05 mati",
        "Jalan di depan SD 003 berlubang besar",
        "saya mau lapor",
        "Assalamualaikum min, air PDAM mati sejak kemarin",
    ],
)
def test_a_sentence_with_words_beyond_a_greeting_opens_a_report(text: str) -> None:
    assert opens_a_report(text)


@pytest.mark.parametrize(
    "text",
    [
        "halo",
        "Pagi",
        "Selamat pagi pak",
        "Assalamualaikum wr wb",
        "terima kasih banyak bu",
        "ok siap",
        "tes",
        "halo?",
        "👍",
        "jalan rusak",
        "",
    ],
)
def test_greetings_thanks_and_a_word_or_two_do_not(text: str) -> None:
    assert not opens_a_report(text)
