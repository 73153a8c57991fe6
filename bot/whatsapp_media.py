"""WhatsApp media ids of cleaned files already uploaded through the Cloud API, so a file is
uploaded once (docs/whatsapp.md).

Meta keeps an uploaded file for 30 days. The id is kept beside the media store, one small file
per cleaned copy (``<media_dir>/whatsapp-media/<name>``: the id and when it was uploaded), so a
restart, another worker sharing the media folder, or a retry after Meta refused the message
(its pair rate) reuses it; after 29 days (a day's margin) the file is uploaded again. Blocking
file work: run it in a thread.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from storage.media_store import LOCAL_PREFIX, UPLOADED_FOLDER, write_atomically

#: How long an uploaded file's id is used (Meta keeps it 30 days).
REUSE_SECONDS = 29 * 24 * 3600.0


class UploadedMedia:
    def __init__(self, media_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.root = media_dir / UPLOADED_FOLDER
        self._clock = clock

    def _path(self, ref: str) -> Path | None:
        name = ref.removeprefix(LOCAL_PREFIX)
        if not ref.startswith(LOCAL_PREFIX) or not name or "/" in name or name.startswith("."):
            return None
        return self.root / name

    def get(self, ref: str) -> str | None:
        """The media id of ``ref``'s upload, while Meta still keeps it."""
        path = self._path(ref)
        try:
            media_id, uploaded = path.read_text().split() if path else ("", "")
            fresh = self._clock() - float(uploaded) < REUSE_SECONDS
        except (OSError, ValueError):
            return None
        return media_id if fresh and media_id.isdigit() else None

    def put(self, ref: str, media_id: str) -> None:
        path = self._path(ref)
        if path is not None:
            write_atomically(path, f"{media_id} {self._clock():.0f}\n".encode())

    def forget(self, ref: str) -> None:
        path = self._path(ref)
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()
