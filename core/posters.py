"""Poster codes (issue 31): the code a desa's or kecamatan's poster carries in its QR code.

The QR code opens the bot with Telegram's deep-link start parameter
(``t.me/<bot>?start=<code>``), which allows only ``A-Z a-z 0-9 _ -`` and at most 64
characters. A poster's code is its region's Kemendagri code with ``_`` for ``.`` behind a ``p``:
``64.08.01.2001`` → ``p64_08_01_2001``. Reading a code back checks only its form; whether the
region exists in the deployment is the caller's question (a forged code names none).
"""

from __future__ import annotations

import re

PREFIX = "p"
_CODE = re.compile(r"p(\d{2})_(\d{2})_(\d{2})(?:_(\d{4}))?")


def poster_code(region_code: str) -> str:
    """The poster code of a kecamatan (``64.08.01``) or desa (``64.08.01.2001``)."""
    return PREFIX + region_code.replace(".", "_")


def region_of(code: str) -> str | None:
    """The region code a poster code names, or None when it is not a poster code's form."""
    found = _CODE.fullmatch(code.strip())
    if found is None:
        return None
    return ".".join(part for part in found.groups() if part)


def start_link(bot_username: str, code: str) -> str:
    """The short link the QR code holds: it opens the bot and sends ``/start <code>``."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"
