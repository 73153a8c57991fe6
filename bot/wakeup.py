"""A doorbell for the workers: sleep until rung or until a timeout, never busy-loop."""

from __future__ import annotations

import asyncio
import contextlib


class Wakeup:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        self._event.set()

    def clear(self) -> None:
        """Called before looking for work, so a ring during the look is not lost."""
        self._event.clear()

    async def sleep(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
