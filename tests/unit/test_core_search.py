"""The words of a console search (core/search.py)."""

from __future__ import annotations

from core.search import MAX_WORD, MAX_WORDS, search_words


def test_words_are_lower_case_once_each_without_punctuation_or_single_letters() -> None:
    assert search_words("  JALAN, rusak!! jalan a  ") == ("jalan", "rusak")
    assert search_words("RT.05/RW-02") == ("rt", "05", "rw", "02")
    assert search_words("snake_case") == ("snake", "case")  # PostgreSQL splits there too
    assert search_words("Kecamatan Sangatta Utara") == ("kecamatan", "sangatta", "utara")
    assert search_words("") == ()
    assert search_words("'\"*:&|!()") == ()  # nothing of either engine's query syntax


def test_a_long_search_keeps_its_first_words_and_cuts_long_ones() -> None:
    typed = " ".join(f"kata{i}" for i in range(20))
    assert search_words(typed) == tuple(f"kata{i}" for i in range(MAX_WORDS))
    assert search_words("x" * 500) == ("x" * MAX_WORD,)
