"""Claim codes and the details an officer types for a citizen (core.counter)."""

from __future__ import annotations

from core.counter import (
    CLAIM_ALPHABET,
    CLAIM_LENGTH,
    claim_hash,
    claim_matches,
    clean_name,
    clean_phone,
    is_counter_channel,
    new_claim_code,
)


def test_a_claim_code_is_short_random_and_easy_to_read_out() -> None:
    codes = {new_claim_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == CLAIM_LENGTH
        assert set(code) <= set(CLAIM_ALPHABET)
    assert not set("01ILO") & set(CLAIM_ALPHABET)  # nothing misheard over the phone


def test_only_the_hash_is_kept_and_it_belongs_to_one_report() -> None:
    stored = claim_hash("ABCD-EFGH-J", "K7P2QX")
    assert "K7P2QX" not in stored
    assert claim_matches("ABCD-EFGH-J", "k7p-2qx", stored)  # typed loosely
    assert not claim_matches("ABCD-EFGH-J", "K7P2QY", stored)
    assert not claim_matches("ABCD-EFGH-K", "K7P2QX", stored)  # another report's number
    assert claim_hash("WXYZ-EFGH-J", "K7P2QX") != stored


def test_names_and_phones_as_typed_at_the_counter() -> None:
    assert clean_name("  Ibu   Marni ") == "Ibu Marni"
    assert clean_name("x") is None
    assert clean_name("a" * 101) is None
    assert clean_phone(" 0812 3456-7890 ") == "0812 3456-7890"
    assert clean_phone("+62 812 345 678") == "+62 812 345 678"
    assert clean_phone("nomor saya") is None
    assert clean_phone("12345") is None
    assert clean_phone("1" * 16) is None


def test_counter_channels_have_no_chat() -> None:
    assert is_counter_channel("loket")
    assert is_counter_channel("telepon")
    assert not is_counter_channel("telegram")
