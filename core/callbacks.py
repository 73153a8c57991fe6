"""Signed inline-button data (callback_data bertanda tangan).

Telegram returns a button's ``callback_data`` verbatim, but any client can send arbitrary data
for a message's buttons. A short HMAC tag lets handlers tell the bot's own buttons from forged
ones. The tag proves only that the bot made the button: handlers must still check that the
person pressing it may do what it says (for example, that they are an officer of the unit).
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from core.limits import CALLBACK_DATA_MAX

SEPARATOR = "|"
#: Characters of base64url tag: 8 characters carry 48 bits of HMAC-SHA256.
TAG_LENGTH = 8
_TAG_BYTES = TAG_LENGTH * 6 // 8


#: Separates a button's context (the chat it was sent to) from its payload inside the HMAC.
_CONTEXT_END = "\x1f"


@lru_cache(maxsize=8)
def _keyed(secret: bytes) -> hmac.HMAC:
    """The HMAC with ``secret``'s padded keys taken in once (copied for each tag: a card's
    keyboard signs a dozen buttons with the same secret)."""
    return hmac.new(secret, digestmod=hashlib.sha256)


def _tag(payload: str, secret: bytes, context: str = "") -> str:
    """The 8-character base64url tag of ``payload`` (bound to ``context`` when given)."""
    signed = f"{context}{_CONTEXT_END}{payload}" if context else payload
    mac = _keyed(secret).copy()
    mac.update(signed.encode("utf-8"))
    digest = mac.digest()
    return base64.urlsafe_b64encode(digest[:_TAG_BYTES]).decode("ascii")


def sign_callback(payload: str, secret: bytes, context: str = "") -> str:
    """``payload + "|" + tag``; raises ValueError if it would exceed Telegram's 64 bytes.

    The payload may itself contain ``|``: the tag is always the part after the last one.
    ``context`` (the chat the button is sent to) is part of the tag but not of the data, so the
    same data pressed in another chat does not verify there and costs no bytes.
    """
    if not secret:
        raise ValueError("callback secret must not be empty")
    data = f"{payload}{SEPARATOR}{_tag(payload, secret, context)}"
    size = len(data.encode("utf-8"))
    if size > CALLBACK_DATA_MAX:
        raise ValueError(
            f"signed callback data is {size} bytes, Telegram allows {CALLBACK_DATA_MAX}: "
            f"shorten the payload {payload!r}"
        )
    return data


def verify_callback(data: str, secret: bytes, context: str = "") -> str | None:
    """The payload of signed ``data``, or None if the tag is missing or wrong (forged data, or
    data signed for another ``context``)."""
    if not secret:
        raise ValueError("callback secret must not be empty")
    payload, separator, tag = data.rpartition(SEPARATOR)
    if not separator or len(tag) != TAG_LENGTH:
        return None
    expected = _tag(payload, secret, context).encode("ascii")
    if not hmac.compare_digest(expected, tag.encode("utf-8")):
        return None
    return payload
