"""The media worker: copies evidence photos (and voice notes and videos, ``core.clips``: kept as
they came once their bytes are checked) from Telegram into the local media store.

Telegram keeps files reachable by file id only for a while, and officers need the evidence long
after; so every report photo is downloaded once, outside any database transaction. What is kept
is the picture redrawn without metadata (``storage.media_store.clean_image``), never the bytes as
they came; an image that came as a file is already cleaned and is copied from the clean store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.channels.base import Channel
from core.clips import ClipKind, clip_kind_of, matches
from runtime.inbox_rows import UowFactory
from runtime.worker import Worker
from storage.media_store import CleanStore, clean_image, is_local, write_atomically
from storage.models import Report

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "audio/ogg": ".ogg",
    "video/mp4": ".mp4",
}


@dataclass
class _Photo:
    id: int
    report_id: int
    position: int
    file_id: str
    file_unique_id: str
    mime_type: str
    channel: str = ""


def photo_path(media_dir: Path, report_id: int, position: int, unique_id: str, mime: str) -> Path:
    """``<media_dir>/<report_id>/<position>-<file_unique_id>.jpg`` (extension by mime type)."""
    extension = _EXTENSIONS.get(mime, ".jpg")
    return media_dir / str(report_id) / f"{position}-{unique_id}{extension}"


def _clip_copy(content: bytes, kind: ClipKind, path: Path) -> Path:
    """Write a voice note or video as it came, once its bytes are what it claims; blocking."""
    if not matches(kind, content):
        raise ValueError(f"not a {kind} file ({len(content)} bytes)")
    write_atomically(path, content)
    return path


def _clean_copy(content: bytes, path_for: Callable[[str], Path]) -> Path:
    """Write the cleaned picture where ``path_for(its mime type)`` says; blocking."""
    cleaned = clean_image(content)
    if cleaned is None:
        # Checked at intake too; a file that is not a picture is never stored as one.
        raise ValueError(f"not a decodable image ({len(content)} bytes)")
    path = path_for(cleaned.mime_type)
    write_atomically(path, cleaned.content)
    return path


class MediaWorker(Worker):
    def __init__(
        self,
        *,
        uow_factory: UowFactory,
        channel: Channel,
        media_dir: Path,
        #: Other channels' citizens' photos (WhatsApp), by the report's channel.
        others: Mapping[str, Channel] | None = None,
        # Polled, not woken per update: a few seconds' delay costs nothing, a query per update does.
        poll_seconds: float = 3.0,
        batch: int = 10,
    ) -> None:
        super().__init__(poll_seconds)
        self._uow_factory = uow_factory
        self._channel = channel
        self._others = dict(others or {})
        self._media_dir = media_dir
        self._clean = CleanStore(media_dir)
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
            photos = [
                _Photo(r.id, r.report_id, r.position, r.file_id, r.file_unique_id, r.mime_type)
                for r in rows
            ]
            if self._others:
                for photo in photos:
                    report = await uow.session.get(Report, photo.report_id)
                    photo.channel = report.channel if report is not None else ""
            return photos

    async def _download(self, photo: _Photo) -> int:
        def path_for(mime: str) -> Path:
            return photo_path(
                self._media_dir, photo.report_id, photo.position, photo.file_unique_id, mime
            )

        try:
            content = await self._content(photo.file_id, photo.channel)
            clip = clip_kind_of(photo.mime_type)
            if clip is not None:
                target = path_for(photo.mime_type)
                path = await asyncio.to_thread(_clip_copy, content, clip, target)
            else:
                path = await asyncio.to_thread(_clean_copy, content, path_for)
        except Exception as exc:
            log.warning("photo %d of report %d not downloaded: %r", photo.id, photo.report_id, exc)
            await self._save(photo.id, stored_path=None, error=repr(exc))
            return 0
        await self._save(photo.id, stored_path=str(path), error=None)
        return 1

    async def _content(self, file_id: str, channel: str = "") -> bytes:
        if is_local(file_id):
            content = await asyncio.to_thread(self._clean.read, file_id)
            if content is None:
                raise FileNotFoundError("cleaned copy missing from the media store")
            return content
        return await self._others.get(channel, self._channel).download(file_id)

    async def _save(self, photo_id: int, *, stored_path: str | None, error: str | None) -> None:
        async with self._uow_factory() as uow:
            await uow.reports.record_download(photo_id, stored_path=stored_path, error=error)
            await uow.commit()
