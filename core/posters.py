"""Poster codes (issue 31): the code a desa's or kecamatan's poster carries in its QR code.

The QR code opens the bot with Telegram's deep-link start parameter
(``t.me/<bot>?start=<code>``), which allows only ``A-Z a-z 0-9 _ -`` and at most 64
characters. A poster's code is its region's Kemendagri code with ``_`` for ``.`` behind a ``p``:
``64.08.01.2001`` → ``p64_08_01_2001``. Reading a code back checks only its form; whether the
region exists in the deployment is the caller's question (a forged code names none).
"""

from __future__ import annotations

import re
from urllib.parse import quote

PREFIX = "p"
_CODE = re.compile(r"p(\d{2})_(\d{2})_(\d{2})(?:_(\d{4}))?")
#: A poster's code inside a WhatsApp message (the prepared first message carries it).
_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z_])p\d{2}_\d{2}_\d{2}(?:_\d{4})?(?![0-9A-Za-z_])")


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


def whatsapp_number(number: str) -> str:
    """The business number as wa.me wants it: digits only, country code first (``+62 811-…``
    → ``62811…``; a leading 0 is read as Indonesia's)."""
    digits = "".join(c for c in number if c.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits


def poster_whatsapp(phone_number_id: str, phone_number: str) -> str:
    """The number the posters' WhatsApp code opens a chat with: "" unless the WhatsApp channel is
    on (``WHATSAPP_PHONE_NUMBER_ID``) and its number is set (``WHATSAPP_PHONE_NUMBER``)."""
    return whatsapp_number(phone_number) if phone_number_id.strip() else ""


def whatsapp_link(number: str, text: str) -> str:
    """The link the WhatsApp QR code holds: a chat with the business number, ``text`` typed."""
    return f"https://wa.me/{whatsapp_number(number)}?text={quote(text, safe='')}"


def code_in_text(text: str) -> str:
    """The poster code a WhatsApp message carries (the prepared first message's), or ""."""
    found = _CODE_IN_TEXT.search(text)
    return found.group(0) if found else ""
