"""The loop every background worker shares: a round of work, then sleep until rung or due.

Workers never busy-loop: after a round that found nothing they sleep until :meth:`Worker.wake` is
called (a commit added work), the next known due time, or the poll period, whichever comes first.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod


class Worker(ABC):
    def __init__(self, poll_seconds: float) -> None:
        self._poll = poll_seconds
        self._event = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._event.set()

    def stop(self) -> None:
        """Finish the current piece of work, then leave :meth:`run`."""
        self._stopping = True
        self.wake()

    def rearm(self) -> None:
        """Allow :meth:`run` again after :meth:`stop` (a duty that moves between processes)."""
        self._stopping = False

    @property
    def stopping(self) -> bool:
        return self._stopping

    async def run(self) -> None:
        while not self._stopping:
            # Cleared before looking for work, so a ring during the look is not lost.
            self._event.clear()
            if await self.run_once() or self._stopping:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), self.idle_seconds())

    @abstractmethod
    async def run_once(self) -> bool:
        """Do one round; True when it did something (then the next round starts at once)."""

    def idle_seconds(self) -> float:
        """How long to sleep after an idle round, unless woken earlier."""
        return self._poll
