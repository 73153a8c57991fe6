"""The media worker: copies evidence photos from Telegram into the local media store.

Telegram keeps files reachable by file id only for a while, and officers need the evidence long
after; so every report photo is downloaded once, outside any database transaction.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from bot.channels.base import Channel
from bot.inbox import UowFactory
from bot.worker import Worker
from core.evidence import image_type

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
}


@dataclass(frozen=True)
class _Photo:
    id: int
    report_id: int
    position: int
    file_id: str
    file_unique_id: str
    mime_type: str


def photo_path(media_dir: Path, report_id: int, position: int, unique_id: str, mime: str) -> Path:
    """``<media_dir>/<report_id>/<position>-<file_unique_id>.jpg`` (extension by mime type)."""
    extension = _EXTENSIONS.get(mime, ".jpg")
    return media_dir / str(report_id) / f"{position}-{unique_id}{extension}"


def _write_atomically(path: Path, content: bytes) -> None:
    # Write then rename, so a crash never leaves a half file that looks downloaded.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(content)
    os.replace(partial, path)


class MediaWorker(Worker):
    def __init__(
        self,
        *,
        uow_factory: UowFactory,
        channel: Channel,
        media_dir: Path,
        # Polled, not woken per update: a few seconds' delay costs nothing, a query per update does.
        poll_seconds: float = 3.0,
        batch: int = 10,
    ) -> None:
        super().__init__(poll_seconds)
        self._uow_factory = uow_factory
        self._channel = channel
        self._media_dir = media_dir
        self._batch = batch

    async def run_once(self) -> bool:
        return await self.download_pending() > 0

    async def download_pending(self) -> int:
        """Try every photo not yet stored once; returns how many were stored."""
        stored = 0
        for photo in await self._pending():
            if self.stopping:
                break
            stored += await self._download(photo)
        return stored

    async def _pending(self) -> list[_Photo]:
        async with self._uow_factory() as uow:
            rows = await uow.reports.photos_to_download(
                max_attempts=MAX_ATTEMPTS, limit=self._batch
            )
            return [
                _Photo(r.id, r.report_id, r.position, r.file_id, r.file_unique_id, r.mime_type)
                for r in rows
            ]

    async def _download(self, photo: _Photo) -> int:
        path = photo_path(
            self._media_dir, photo.report_id, photo.position, photo.file_unique_id, photo.mime_type
        )
        try:
            content = await self._channel.download(photo.file_id)
            if image_type(content) is None:
                # Checked at intake too; a file that is not an image is never stored as one.
                raise ValueError(f"not an image ({len(content)} bytes)")
            await asyncio.to_thread(_write_atomically, path, content)
        except Exception as exc:
            log.warning("photo %d of report %d not downloaded: %r", photo.id, photo.report_id, exc)
            await self._save(photo.id, stored_path=None, error=repr(exc))
            return 0
        await self._save(photo.id, stored_path=str(path), error=None)
        return 1

    async def _save(self, photo_id: int, *, stored_path: str | None, error: str | None) -> None:
        async with self._uow_factory() as uow:
            await uow.reports.record_download(photo_id, stored_path=stored_path, error=error)
            await uow.commit()
