"""Channel-neutral errors of an API call; every adapter maps its framework's exceptions to these.

The outbox decides from the class alone: wait, retry with backoff, give up, or count as done.
"""

from __future__ import annotations


class ChannelError(Exception):
    """Base of every error a channel call raises."""

    def __init__(self, description: str = "") -> None:
        super().__init__(description)
        self.description = description


class RetryAfter(ChannelError):  # noqa: N818 (named after Telegram's retry_after)
    """Flood control (HTTP 429): the same call may be repeated after ``seconds``."""

    def __init__(self, seconds: float, description: str = "") -> None:
        super().__init__(description or f"retry after {seconds}s")
        self.seconds = seconds


class TransientError(ChannelError):
    """Network trouble, timeouts, 5xx: the call may succeed later unchanged."""


class PermanentError(ChannelError):
    """The call will never succeed as it is (403 blocked by the user, 400 chat not found ...)."""


class ChatMigrated(PermanentError):  # noqa: N818 (a state of the chat, like RetryAfter)
    """The group became a supergroup (400 with ``parameters.migrate_to_chat_id``).

    Permanent for the old chat id only: the outbox moves the chat's binding, links and unsent rows
    to ``new_chat_id`` and sends the row again there.
    """

    def __init__(self, new_chat_id: int, description: str = "") -> None:
        super().__init__(description or f"group chat was upgraded to supergroup {new_chat_id}")
        self.new_chat_id = new_chat_id


class IgnorableError(PermanentError):
    """A refusal that means the work is already done or moot; the outbox marks the row sent.

    Telegram refuses an edit that changes nothing ("message is not modified") and an answer to a
    button press older than about 15 minutes ("query is too old").
    """


_IGNORABLE = ("message is not modified", "query is too old", "query id is invalid")


def error_from_response(
    error_code: int,
    description: str,
    retry_after: float | None = None,
    migrate_to_chat_id: int | None = None,
) -> ChannelError:
    """Classify a failed Bot API response (``ok: false``) the same way for every adapter."""
    if migrate_to_chat_id is not None:
        return ChatMigrated(migrate_to_chat_id, description)
    if error_code == 429 or retry_after is not None:
        return RetryAfter(float(retry_after or 1), description)
    if error_code >= 500:
        return TransientError(description)
    lowered = description.lower()
    if error_code == 400 and any(marker in lowered for marker in _IGNORABLE):
        return IgnorableError(description)
    if error_code == 401:
        # A revoked token fails every call; retrying keeps the messages until it is fixed.
        return TransientError(description)
    return PermanentError(description)
