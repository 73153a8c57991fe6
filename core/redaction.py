"""Keeping a reporter's name out of text meant for others: people write their own name into an
address or a description ("depan rumah saya, Budi"), and units greet the reporter by name in
their answers. Used where a report's words reach the public (Open311) or its supporters."""

from __future__ import annotations

import re

#: Name parts shorter than this are not hidden on their own ("Ny", "Hj"): too many false hits.
NAME_PART_MIN = 3


def redact(text: str, identity: tuple[str, ...], mask: str) -> str:
    """``text`` with the reporter's name (whole and each part), username and user id masked."""
    words: set[str] = set()
    for value in identity:
        value = value.strip().lstrip("@")
        if not value:
            continue
        words.add(value)
        words.update(part for part in re.split(r"\W+", value) if len(part) >= NAME_PART_MIN)
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"@?\b{re.escape(word)}\b", mask, text, flags=re.IGNORECASE)
    return text
