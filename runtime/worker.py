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
        #: Rounds finished since start: what a test waits on instead of a pause.
        self.rounds = 0
        self._asleep = False

    def wake(self) -> None:
        self._asleep = False
        self._event.set()

    @property
    def asleep(self) -> bool:
        """Its last round found nothing and no wake is pending: it does nothing more until woken
        or its idle time is over (a test's "nothing else will happen now")."""
        return self._asleep

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
            busy = await self.run_once()
            self.rounds += 1
            if busy or self._stopping:
                continue
            self._asleep = not self._event.is_set()
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event.wait(), self.idle_seconds())
            finally:
                self._asleep = False

    @abstractmethod
    async def run_once(self) -> bool:
        """Do one round; True when it did something (then the next round starts at once)."""

    def idle_seconds(self) -> float:
        """How long to sleep after an idle round, unless woken earlier."""
        return self._poll
