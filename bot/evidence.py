"""The messenger's side of evidence checks: a received file's bytes, through the channel that
carried the update (``getFile`` and the file download)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.channels.base import Channel
from bot.channels.errors import PermanentError


class ChannelFileFetcher:
    """Downloads a file for ``handlers.evidence``; a permanent refusal is ``None``."""

    def __init__(self, channels: Mapping[str, Channel]) -> None:
        self._channels = channels

    async def fetch(self, channel: str, file_id: str) -> bytes | None:
        target = self._channels.get(channel)
        if target is None:
            return None
        try:
            return await target.download(file_id)
        except PermanentError:
            return None
