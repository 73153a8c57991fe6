"""What the webhook accepts as an update, checked before anything is stored.

The listener gets bytes from whoever knows the secret; only a well-formed Telegram update may
reach the inbox. Any other body is refused with :class:`BadUpdateError` (the listener answers 4xx
with its short reason), so it can neither take the place of a genuine update (``true`` would
otherwise be stored as update 1) nor fail in the database and be retried as a 500 forever.

* At most :data:`MAX_BODY_BYTES` (413 above it), UTF-8, one JSON object.
* Nested at most :data:`MAX_DEPTH` deep, counted on the text before it is parsed, so that no
  parser or later walk can run out of stack. A real update stays below about a dozen levels.
* Standard JSON only: ``NaN``, ``Infinity`` and numbers that overflow a float are refused;
  every integer fits in 64 bits (Telegram's ids fit in 52) and no string holds a NUL or a lone
  surrogate (PostgreSQL's JSON type refuses both).
* ``update_id`` a true integer (not a boolean, not a string or float) from 1 to
  :data:`MAX_UPDATE_ID`: the Bot API's integers fit in a signed 32-bit one unless its
  documentation says otherwise, which it does not for ``update_id``.
* The chat id and album id the inbox keys on fit its columns (64 characters).
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any, Final

from bot.telegram_events import update_key

MAX_BODY_BYTES: Final = 1024 * 1024
MAX_DEPTH: Final = 32
MAX_UPDATE_ID: Final = 2**31 - 1
MAX_KEY_CHARS: Final = 64
_INT64: Final = 2**63

# A JSON string, escapes included; what is left once they are removed has only syntax. The
# closing quote is optional so that an unterminated string (invalid anyway) is one match to the
# end, not a search from every later quote again (which would take quadratic time).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


class BadUpdateError(ValueError):
    """The body is not an update; ``str()`` is the short reason the listener answers with."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


def parse_update(body: bytes) -> dict[str, Any]:
    """The update in ``body``, or :class:`BadUpdateError` saying why it is not one."""
    if len(body) > MAX_BODY_BYTES:
        raise BadUpdateError("body too large", status=413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadUpdateError("not UTF-8") from None
    if _depth_exceeds(text, MAX_DEPTH):
        raise BadUpdateError("nested too deeply")
    try:
        update = json.loads(text, parse_constant=_no_constant, parse_float=_finite, parse_int=_int)
    except BadUpdateError:
        raise
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise BadUpdateError("not JSON") from None
    if not isinstance(update, dict):
        raise BadUpdateError("not a JSON object")
    _check_values(update)
    update_id = update.get("update_id")
    if type(update_id) is not int or not 1 <= update_id <= MAX_UPDATE_ID:
        raise BadUpdateError("update_id is not an integer from 1 to 2^31-1")
    try:
        chat_id, media_group_id = update_key(update)
    except (AttributeError, KeyError, TypeError, ValueError):
        raise BadUpdateError("not shaped like a Telegram update") from None
    if len(chat_id) > MAX_KEY_CHARS or len(media_group_id) > MAX_KEY_CHARS:
        raise BadUpdateError("chat id or media_group_id too long")
    return update


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit``: linear time, no recursion."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def _no_constant(name: str) -> Any:
    raise BadUpdateError(f"{name} is not standard JSON")


def _finite(number: str) -> float:
    value = float(number)
    if not math.isfinite(value):
        raise BadUpdateError("number out of range")
    return value


def _int(number: str) -> int:
    if len(number) > 20:  # no 64-bit integer has more digits (sign included)
        raise BadUpdateError("integer out of 64-bit range")
    value = int(number)
    if not -_INT64 <= value < _INT64:
        raise BadUpdateError("integer out of 64-bit range")
    return value


def _check_values(update: dict[str, Any]) -> None:
    """Every string storable by both engines; walked without recursion (the depth is bounded
    anyway)."""
    waiting: list[Any] = [update]
    while waiting:
        value = waiting.pop()
        if isinstance(value, dict):
            waiting.extend(value.keys())
            waiting.extend(value.values())
        elif isinstance(value, list):
            waiting.extend(value)
        elif isinstance(value, str):
            if "\x00" in value:
                raise BadUpdateError("NUL character in a string")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise BadUpdateError("lone surrogate in a string") from None
