"""Fair slots for the inbox's chats: at most so many at once, a conversation under way let in
before a chat that has just arrived, but never so many in a row that a newcomer waits for as
long as the others keep talking."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator

#: ... but while a newcomer waits, at most this many slots in a row go to conversations under
#: way: many citizens answering at once would otherwise keep a new one waiting for as long as
#: any of them kept talking.
UNDER_WAY_STREAK = 3


class Slots:
    """At most ``size`` holders at once; a waiter marked ``first`` (a conversation under way) is
    let in before the others, each kind in the order it came, but never more than
    ``UNDER_WAY_STREAK`` of them in a row while one of the others waits."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: dict[bool, deque[asyncio.Future[None]]] = {True: deque(), False: deque()}
        self._streak = 0  # slots given in a row to conversations under way while others waited

    @contextlib.asynccontextmanager
    async def held(self, *, first: bool) -> AsyncIterator[None]:
        await self._acquire(first)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, first: bool) -> None:
        if self._free > 0:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[first].append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # handed a slot just as it was cancelled: pass it on
            else:
                self._waiting[first].remove(waiter)
            raise

    def _release(self) -> None:
        kinds = (False, True) if self._streak >= UNDER_WAY_STREAK else (True, False)
        for kind in kinds:
            queue = self._waiting[kind]
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the slot goes straight to it
                    others_wait = any(not w.done() for w in self._waiting[False])
                    self._streak = self._streak + 1 if kind and others_wait else 0
                    return
        self._free += 1
