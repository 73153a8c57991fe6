"""The port every channel adapter implements (aiogram 3 and python-telegram-bot 22)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

UpdateHandler = Callable[[dict[str, Any]], Awaitable[None]]
"""Receives one update as Bot API JSON; it returns only after the update is safely stored."""

BatchHandler = Callable[[list[dict[str, Any]]], Awaitable[None]]
"""Receives a whole getUpdates batch, in order; returns only after all of it is stored (or none)."""


@dataclass(frozen=True)
class Upload:
    """A file the bot uploads in a call (a cleaned evidence image), where a Bot API parameter
    would otherwise hold a file id: ``photo`` or ``document``, or ``media`` inside an album's
    entry. Each adapter turns it into its framework's own input file."""

    filename: str
    content: bytes

    def __repr__(self) -> str:  # never the bytes in a log line
        return f"Upload({self.filename!r}, {len(self.content)} bytes)"


class Channel(Protocol):
    """A connection to one bot account.

    ``call`` raises only the errors of :mod:`bot.channels.errors`; results are plain Bot API JSON
    (a dict for a Message, ``True`` for most other methods).
    """

    name: str

    async def start_polling(
        self, on_update: UpdateHandler, on_batch: BatchHandler | None = None
    ) -> None:
        """Receive updates until :meth:`stop`.

        An update is confirmed to Telegram (the next getUpdates offset) only after ``on_update``
        returned for it, so a crash before that makes Telegram deliver it again. With
        ``on_batch``, each getUpdates batch is stored by one call instead (one transaction) and
        confirmed once it returned.
        """

    async def stop(self) -> None:
        """Stop receiving updates; calls keep working until :meth:`close`."""

    async def close(self) -> None:
        """Release the HTTP session; the last thing the runtime does."""

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Call a Bot API method with JSON parameters (and :class:`Upload` values where a file
        is uploaded) and return the JSON result."""

    async def download(self, file_id: str) -> bytes:
        """The content of a file the bot received."""

    async def me(self) -> dict[str, Any]:
        """The bot's own user (getMe)."""
