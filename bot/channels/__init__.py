"""Channel adapters: the only code that talks to a bot framework."""

from bot.channels.base import Channel, UpdateHandler
from bot.channels.errors import (
    ChannelError,
    IgnorableError,
    PermanentError,
    RetryAfter,
    TransientError,
)

__all__ = [
    "Channel",
    "ChannelError",
    "IgnorableError",
    "PermanentError",
    "RetryAfter",
    "TransientError",
    "UpdateHandler",
]
