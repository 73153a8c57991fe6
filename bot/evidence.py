"""The messenger's side of evidence checks: a received file's bytes, through the channel that
carried the update (``getFile`` and the file download), and the cleaned copy of an image that
came as a file, kept in the media store so that only it is ever sent on; a voice note or video of
another messenger is kept there as it came (``keep_clip``), so it can be uploaded to the other."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from bot.channels.base import Channel
from bot.channels.errors import PermanentError
from storage.media_store import CleanStore, KeptImage


class ChannelFileFetcher:
    """Downloads a file for ``handlers.evidence``; a permanent refusal is ``None``."""

    def __init__(self, channels: Mapping[str, Channel], media_dir: Path) -> None:
        self._channels = channels
        self._store = CleanStore(media_dir)

    async def fetch(self, channel: str, file_id: str) -> bytes | None:
        target = self._channels.get(channel)
        if target is None:
            return None
        try:
            return await target.download(file_id)
        except PermanentError:
            return None

    async def keep(self, content: bytes) -> KeptImage | None:
        return await asyncio.to_thread(self._store.keep, content)

    async def keep_clip(self, content: bytes, mime_type: str) -> KeptImage:
        return await asyncio.to_thread(self._store.keep_clip, content, mime_type)
