"""The key in a reporter's own link to their report's public page
(``/publik/laporan/<nomor>/<kunci>``, docs/public.md).

Without it the page shows a report only when the public may see it (a verified biasa report, as
Open311 lists it) and answers every other number as one that does not exist. With it, the
reporter (whose chat alone carries the link) sees their report's status and unit whatever its
privacy. The key is an HMAC of the tracking number with the server's secret (the bot's callback
secret, which the console derives the same way), so it cannot be made from the number alone."""

from __future__ import annotations

import base64
import hashlib
import hmac

#: Separates these keys from the other uses of the same secret (signed buttons).
_PURPOSE = b"kanal-aduan:public-report:"
#: Bytes of the MAC kept: 80 bits, 16 base32 symbols in the link.
_BYTES = 10


def report_key(secret: bytes, number: str) -> str:
    """The link key of ``number`` (its display form, ``XXXX-XXXX-C``); "" without a secret."""
    if not secret:
        return ""
    mac = hmac.new(secret, _PURPOSE + number.upper().encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:_BYTES]).decode().lower()


def key_matches(secret: bytes, number: str, key: str) -> bool:
    """Whether ``key`` is ``number``'s (in constant time); never without a secret."""
    expected = report_key(secret, number)
    return bool(expected) and hmac.compare_digest(expected, key.strip().lower())
