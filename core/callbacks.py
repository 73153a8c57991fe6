"""Signed inline-button data (callback_data bertanda tangan).

Telegram returns a button's ``callback_data`` verbatim, but any client can send arbitrary data
for a message's buttons. A short HMAC tag lets handlers tell the bot's own buttons from forged
ones. The tag proves only that the bot made the button: handlers must still check that the
person pressing it may do what it says (for example, that they are an officer of the unit).
"""

import base64
import hashlib
import hmac

from core.limits import CALLBACK_DATA_MAX

SEPARATOR = "|"
#: Characters of base64url tag: 8 characters carry 48 bits of HMAC-SHA256.
TAG_LENGTH = 8
_TAG_BYTES = TAG_LENGTH * 6 // 8


def _tag(payload: str, secret: bytes) -> str:
    """The 8-character base64url tag of ``payload``."""
    digest = hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_TAG_BYTES]).decode("ascii")


def sign_callback(payload: str, secret: bytes) -> str:
    """``payload + "|" + tag``; raises ValueError if it would exceed Telegram's 64 bytes.

    The payload may itself contain ``|``: the tag is always the part after the last one.
    """
    if not secret:
        raise ValueError("callback secret must not be empty")
    data = f"{payload}{SEPARATOR}{_tag(payload, secret)}"
    size = len(data.encode("utf-8"))
    if size > CALLBACK_DATA_MAX:
        raise ValueError(
            f"signed callback data is {size} bytes, Telegram allows {CALLBACK_DATA_MAX}: "
            f"shorten the payload {payload!r}"
        )
    return data


def verify_callback(data: str, secret: bytes) -> str | None:
    """The payload of signed ``data``, or None if the tag is missing or wrong (forged data)."""
    if not secret:
        raise ValueError("callback secret must not be empty")
    payload, separator, tag = data.rpartition(SEPARATOR)
    if not separator or len(tag) != TAG_LENGTH:
        return None
    expected = _tag(payload, secret).encode("ascii")
    if not hmac.compare_digest(expected, tag.encode("utf-8")):
        return None
    return payload
