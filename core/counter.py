"""Reports filed on a citizen's behalf (lapor atas nama warga) and their claim codes: no I/O.

An officer files a report for a citizen at the counter (``loket``) or on the phone
(``telepon``); the report's channel names how it came until the citizen claims it in their
own chat with the tracking number and a claim code. The code is short and random, read out or
forwarded on the slip, and only its hash is stored; wrong codes are counted per report and,
after :data:`CLAIM_FAILURES_MAX` in a row, claims of that report wait :data:`CLAIM_HOLD`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Final

#: How a report filed on someone's behalf came: the report's channel until it is claimed.
VIA_COUNTER: Final = "loket"
VIA_PHONE: Final = "telepon"
VIAS: Final = (VIA_COUNTER, VIA_PHONE)
#: The claim code's symbols: no 0/O, 1/I/L, so a code read out over the phone is not misheard.
CLAIM_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CLAIM_LENGTH: Final = 6
#: Wrong codes in a row before claims of the report wait, and how long they wait.
CLAIM_FAILURES_MAX: Final = 5
CLAIM_HOLD: Final = timedelta(hours=1)
#: The citizen's name and phone as taken down by the officer.
NAME_MIN, NAME_MAX = 2, 100
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 6, 15


def is_counter_channel(channel: str) -> bool:
    """Whether ``channel`` is a counter or phone filing not claimed yet (no chat to write to)."""
    return channel in VIAS


def new_claim_code() -> str:
    return "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(CLAIM_LENGTH))


def normalized_code(text: str) -> str:
    """A typed code: upper case, spaces and hyphens left out."""
    return text.upper().replace(" ", "").replace("-", "")


def claim_hash(tracking_no: str, code: str) -> str:
    """The stored form of a claim code: a slow hash salted with the report's number."""
    digest = hashlib.scrypt(
        normalized_code(code).encode(), salt=tracking_no.encode(), n=2**14, r=8, p=1, dklen=32
    )
    return digest.hex()


def claim_matches(tracking_no: str, code: str, stored: str) -> bool:
    return hmac.compare_digest(claim_hash(tracking_no, code), stored)


def clean_phone(text: str) -> str | None:
    """A phone number as typed (digits, spaces, +, -); None when it cannot be one."""
    kept = text.strip()
    if any(c not in "0123456789+- ()" for c in kept):
        return None
    digits = sum(c.isdigit() for c in kept)
    if not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
        return None
    return " ".join(kept.split())


def clean_name(text: str) -> str | None:
    name = " ".join(text.split())
    return name if NAME_MIN <= len(name) <= NAME_MAX else None
