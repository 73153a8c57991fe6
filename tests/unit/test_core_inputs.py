"""Invisible characters are not text; points outside the region are not the region."""

from __future__ import annotations

import pytest

from core.inputs import Bounds, says_nothing, visible

ZWSP = "\u200b"


@pytest.mark.parametrize(
    "text",
    [ZWSP * 25, "\u200c\u200d\u2060\ufeff", "\u200e\u200f\u202a\u202e", " \x00\x07 ", ""],
)
def test_invisible_text_says_nothing(text: str) -> None:
    assert says_nothing(text)


def test_visible_keeps_what_a_reader_sees() -> None:
    assert visible(f"  Jalan{ZWSP} rusak\n parah ") == "Jalan rusak\n parah"
    assert len(visible(ZWSP * 25 + "abc")) == 3
    assert visible("Jalan berlubang 🕳️") == "Jalan berlubang 🕳\ufe0f"  # variation selector is Mn


def test_bounds() -> None:
    indonesia = Bounds()
    assert indonesia.contains(1.05, 117.6)  # Sepaso, Kutai Timur
    assert not indonesia.contains(51.5, -0.12)  # London
    kutim = Bounds.parse("-0.6,115.8,1.9,119.0")
    assert kutim.contains(1.05, 117.6)
    assert not kutim.contains(-6.2, 106.8)  # Jakarta
    for wrong in ("1,2,3", "5,0,1,10", "a,b,c,d"):
        with pytest.raises(ValueError, match=r"bounds|convert"):
            Bounds.parse(wrong)
