"""Tracking numbers: format, check symbol, tolerant parsing."""

import itertools
import re

import pytest

from core.tracking import (
    ALPHABET,
    ParsedTracking,
    TrackingCheck,
    check_symbol,
    new_tracking_number,
    parse_tracking_number,
    typed_tracking_number,
)

DISPLAY = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]")
SAMPLE = "7KQ4-M2XD-4"


def _symbols(number: str) -> str:
    return number.replace("-", "")


def _display(symbols: str) -> str:
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


def test_alphabet_is_crockford_base32() -> None:
    assert len(ALPHABET) == 32
    assert len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_sample_is_valid() -> None:
    assert check_symbol("7KQ4M2XD") == "4"
    assert parse_tracking_number(SAMPLE) == ParsedTracking(TrackingCheck.VALID, SAMPLE)


def test_round_trip_of_1000_numbers() -> None:
    numbers = [new_tracking_number() for _ in range(1000)]
    for number in numbers:
        assert DISPLAY.fullmatch(number), number
        assert parse_tracking_number(number) == ParsedTracking(TrackingCheck.VALID, number)
    assert len(set(numbers)) == 1000


def _body_value(number: str) -> int:
    """The 40-bit value of a number's 8 random symbols."""
    value = 0
    for symbol in _symbols(number)[:8]:
        value = value * 32 + ALPHABET.index(symbol)
    return value


def test_numbers_are_not_sequential() -> None:
    values = [_body_value(new_tracking_number()) for _ in range(50)]
    steps = [b - a for a, b in itertools.pairwise(values)]
    assert len(set(steps)) > 40
    assert sum(abs(step) > 2**20 for step in steps) > 40


def test_every_single_substitution_is_mistyped() -> None:
    symbols = _symbols(SAMPLE)
    for position, original in enumerate(symbols):
        for replacement in ALPHABET:
            if replacement == original:
                continue
            typo = symbols[:position] + replacement + symbols[position + 1 :]
            assert parse_tracking_number(typo).check is TrackingCheck.MISTYPED, typo


def test_every_adjacent_transposition_is_mistyped() -> None:
    symbols = _symbols(SAMPLE)
    for position in range(len(symbols) - 1):
        a, b = symbols[position], symbols[position + 1]
        if a == b:
            continue
        swapped = symbols[:position] + b + a + symbols[position + 2 :]
        assert parse_tracking_number(swapped).check is TrackingCheck.MISTYPED, swapped


def test_transpositions_missed_only_for_0_and_z() -> None:
    """Luhn mod 32's one blind spot, documented in the module: 0↔Z."""
    missed = set()
    for a in ALPHABET:
        for b in ALPHABET:
            if a == b:
                continue
            body = f"1234{a}{b}67"
            number = body + check_symbol(body)
            swapped = f"1234{b}{a}67" + number[8]
            if parse_tracking_number(swapped).check is TrackingCheck.VALID:
                missed.add(frozenset({a, b}))
    assert missed == {frozenset({"0", "Z"})}


@pytest.mark.parametrize(
    "typed",
    [
        "7kq4-m2xd-4",
        "7KQ4 M2XD 4",
        " 7kq4m2xd4 ",
        "7KQ4.M2XD.4",
        "7 K Q 4 - M 2 X D - 4",
    ],
)
def test_lenient_input_is_accepted(typed: str) -> None:
    assert parse_tracking_number(typed) == ParsedTracking(TrackingCheck.VALID, SAMPLE)


def test_confusable_letters_are_read_as_symbols() -> None:
    body = "0111V000"
    number = _display(body + check_symbol(body))
    for typed in ("oIlL-uOoO-", "OILI UOOO ", "oili.uooo."):
        parsed = parse_tracking_number(typed + number[-1])
        assert parsed == ParsedTracking(TrackingCheck.VALID, number), typed


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "7KQ4-M2XD",
        "7KQ4-M2XD-44",
        "7KQ4-M2XD-4-0",
        "7KQ4_M2XD_4",
        "7KQ4-M2XD-#",
        "laporan saya",
    ],
)
def test_malformed_input(typed: str) -> None:
    assert parse_tracking_number(typed) == ParsedTracking(TrackingCheck.MALFORMED, "")


def test_mistyped_has_no_number() -> None:
    assert parse_tracking_number("7KQ4-M2XD-5") == ParsedTracking(TrackingCheck.MISTYPED, "")


# --- a whole message read as a tracking number (issue 26, item 2) ---------------------------------


@pytest.mark.parametrize(
    "typed", [SAMPLE, "7kq4-m2xd-4", "7kq4 m2xd 4", " 7KQ4M2XD4 ", "7kq4m2xd4"]
)
def test_a_valid_number_is_read_from_a_whole_message(typed: str) -> None:
    assert typed_tracking_number(typed) == ParsedTracking(TrackingCheck.VALID, SAMPLE)


def test_a_mistyped_number_with_a_digit_or_the_dashes_is_still_a_number() -> None:
    assert typed_tracking_number("7KQ4-M2XD-5") == ParsedTracking(TrackingCheck.MISTYPED, "")
    assert typed_tracking_number("ABCD-EFGH-J") is not None


@pytest.mark.parametrize("typed", ["halo", "terima kasih", "jalan rusak", "", "7KQ4-M2XD-4 ok"])
def test_other_words_are_not_numbers(typed: str) -> None:
    assert typed_tracking_number(typed) is None


def test_a_nine_letter_word_failing_the_check_is_a_word() -> None:
    words = ("kecamatan", "pemandian", "pelabuhan", "perbaikan", "pengaduan")
    read = {w: typed_tracking_number(w) for w in words}
    assert all(r is None or r.check == TrackingCheck.VALID for r in read.values())
