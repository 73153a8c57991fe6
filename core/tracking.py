"""Tracking numbers (nomor laporan) a citizen can read aloud, type on a phone and mistype safely.

Format: 8 random symbols of Crockford base32 (40 bits from :mod:`secrets`, so numbers are not
sequential and cannot be guessed) plus 1 check symbol (karakter pemeriksa) computed with the
Luhn mod N algorithm for N = 32. Display form ``XXXX-XXXX-C``, e.g. ``7KQ4-M2XD-4``.

The check symbol catches every single-symbol substitution and every transposition of two adjacent
symbols except ``0``↔``Z`` (values 0 and 31), the mod-32 counterpart of Luhn's 09↔90 blind spot.
"""

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = len(ALPHABET)
BODY_LENGTH = 8
LENGTH = BODY_LENGTH + 1

_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
#: Crockford's decoding aliases, plus U read as V (U is not in the alphabet).
_ALIASES = {"O": "0", "I": "1", "L": "1", "U": "V"}
_IGNORED = frozenset(" -.\t\u00a0")


class TrackingCheck(StrEnum):
    """Result of reading a tracking number typed by a person."""

    VALID = "valid"
    MISTYPED = "mistyped"  # right shape, wrong check symbol: "periksa kembali nomor laporan"
    MALFORMED = "malformed"  # not a tracking number at all


@dataclass(frozen=True)
class ParsedTracking:
    """A parsed tracking number; ``number`` is the display form when VALID, else ""."""

    check: TrackingCheck
    number: str


def _luhn_sum(values: list[int], *, with_check: bool) -> int:
    """Luhn mod N sum; doubling starts at the rightmost body symbol."""
    total = 0
    double = not with_check
    for value in reversed(values):
        addend = value * 2 if double else value
        total += addend // BASE + addend % BASE
        double = not double
    return total % BASE


def check_symbol(body: str) -> str:
    """The Luhn mod 32 check symbol for a body of canonical symbols."""
    remainder = _luhn_sum([_VALUE[s] for s in body], with_check=False)
    return ALPHABET[(BASE - remainder) % BASE]


def format_tracking_number(symbols: str) -> str:
    """Display form ``XXXX-XXXX-C`` of 9 canonical symbols."""
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


def new_tracking_number() -> str:
    """A fresh random tracking number in display form (nomor laporan baru)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return format_tracking_number(body + check_symbol(body))


def _canonical_symbols(text: str) -> str | None:
    """Upper-case canonical symbols of ``text``, or None if it holds a foreign character."""
    symbols: list[str] = []
    for char in text.upper():
        if char in _IGNORED:
            continue
        char = _ALIASES.get(char, char)
        if char not in _VALUE:
            return None
        symbols.append(char)
    return "".join(symbols)


def parse_tracking_number(text: str) -> ParsedTracking:
    """Read a tracking number typed by a person.

    Case-insensitive; spaces, hyphens and dots are ignored; O→0, I/L→1, U→V.
    """
    symbols = _canonical_symbols(text)
    if symbols is None or len(symbols) != LENGTH:
        return ParsedTracking(TrackingCheck.MALFORMED, "")
    if _luhn_sum([_VALUE[s] for s in symbols], with_check=True) != 0:
        return ParsedTracking(TrackingCheck.MISTYPED, "")
    return ParsedTracking(TrackingCheck.VALID, format_tracking_number(symbols))


_DISPLAY_SHAPE = re.compile(r"^\w{4}-\w{4}-\w$")


def typed_tracking_number(text: str) -> ParsedTracking | None:
    """A whole message read as a tracking number typed without "Cek status"; None when it is
    other words.

    A valid number always counts. A mistyped one counts when it looks meant as a number (a digit
    in it, or the ``XXXX-XXXX-X`` shape): a nine-letter word such as "pengaduan" reads as nine
    symbols too, and is words, not a typo.
    """
    parsed = parse_tracking_number(text)
    if parsed.check == TrackingCheck.VALID:
        return parsed
    if parsed.check == TrackingCheck.MISTYPED:
        stripped = text.strip()
        if any(ch.isdigit() for ch in stripped) or _DISPLAY_SHAPE.match(stripped):
            return parsed
    return None
