"""Uploading cleaned evidence: a ``local:`` reference in a send becomes the file's bytes.

An image a citizen sent as a file is never passed on by its Telegram file id (that would pass on
its name and its original bytes); the conversation keeps a cleaned copy in the media store
(``storage.media_store``) and names it ``local:<name>``. Just before the call, the outbox swaps
each such reference for an :class:`bot.channels.base.Upload` with a neutral file name. A
WhatsApp citizen's voice note or video is kept there too (as it came, its bytes checked) and
goes to the unit's group the same way (``sendVoice``/``sendVideo``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.channels.base import Upload
from storage.media_store import CleanStore, is_local

_FILE_PARAMS = ("photo", "document", "voice", "video")
#: A kept file's extension, by its reference's (a WhatsApp citizen's clips are kept too).
_EXTENSIONS = (".png", ".ogg", ".mp4")


class MissingUploadError(Exception):
    """A ``local:`` reference whose file is not (or no longer) in the store."""


class UploadResolver:
    def __init__(self, media_dir: Path) -> None:
        self._store = CleanStore(media_dir)

    async def resolve(self, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` with every ``local:`` reference replaced by its upload (unchanged, and not
        copied, when it has none)."""
        if not _has_local(params):
            return params
        resolved = dict(params)
        for key in _FILE_PARAMS:
            value = resolved.get(key)
            if isinstance(value, str) and is_local(value):
                resolved[key] = await self._upload(value, "bukti-1")
        media = resolved.get("media")
        if isinstance(media, list):
            resolved["media"] = [
                await self._entry(entry, position) for position, entry in enumerate(media, 1)
            ]
        return resolved

    async def _entry(self, entry: Any, position: int) -> Any:
        media = entry.get("media") if isinstance(entry, dict) else None
        if isinstance(media, str) and is_local(media):
            return {**entry, "media": await self._upload(media, f"bukti-{position}")}
        return entry

    async def _upload(self, ref: str, stem: str) -> Upload:
        content = await asyncio.to_thread(self._store.read, ref)
        if content is None:
            raise MissingUploadError(ref)
        extension = next((e for e in _EXTENSIONS if ref.endswith(e)), ".jpg")
        return Upload(stem + extension, content)


def _has_local(params: dict[str, Any]) -> bool:
    if any(isinstance(params.get(k), str) and is_local(params[k]) for k in _FILE_PARAMS):
        return True
    media = params.get("media")
    return isinstance(media, list) and any(
        isinstance(e, dict) and isinstance(e.get("media"), str) and is_local(e["media"])
        for e in media
    )
