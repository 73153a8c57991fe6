"""What a search typed in the console's "Cari" box asks for: its words, each matched as the
start of a word (``jalan`` finds ``jalannya`` and ``jalanan``, not ``perjalanan``), all of
them required. No stemming: Indonesian affixes are many (``di-``, ``ber-``, ``-kan``, ``-nya``)
and a wrong cut finds the wrong reports; the start of a word covers the suffixes people type
most, and both databases agree on it (SQLite FTS5's ``"word"*``, PostgreSQL's ``word:*``)."""

from __future__ import annotations

import re

#: Letters and digits (no underscore: PostgreSQL's parser splits there, FTS5 too).
_WORD = re.compile(r"[^\W_]+")
#: A search of more words than this keeps the first ones.
MAX_WORDS = 8
#: A word longer than this is cut (no Indonesian word is; a pasted token would be).
MAX_WORD = 40


def search_words(typed: str) -> tuple[str, ...]:
    """The words of ``typed``, lower-case, each once, in order; one-letter words are left out
    (as the start of a word they would match nearly everything)."""
    words: list[str] = []
    for found in _WORD.findall(typed.lower()):
        word = found[:MAX_WORD]
        if len(word) >= 2 and word not in words:
            words.append(word)
    return tuple(words[:MAX_WORDS])
