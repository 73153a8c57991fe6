"""The getUpdates loop both adapters share: an update is confirmed only after it is stored.

Telegram forgets an update once a later getUpdates asks for an offset above its id, so the offset
is the acknowledgement. Neither framework's own polling keeps that rule on its own terms:

* python-telegram-bot's ``Updater`` puts each batch on a queue and immediately asks for the next
  one with the offset past it, while ``Application`` handles the queue later (concurrently, with
  ``concurrent_updates``): a crash in between loses updates Telegram already forgot.
* aiogram's ``Dispatcher`` moves the offset after handling only with ``handle_as_tasks=False``,
  and it counts an update whose handler raised as handled.

So each adapter supplies only the HTTP call (:data:`Fetch`, returning the updates as Bot API JSON)
and this loop decides when the offset moves: after ``on_update`` returned for the update, never
before. Updates are stored one at a time, in Telegram's order; or, with ``on_batch``, each batch
at once in one transaction, and the offset moves past the batch once it is stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.channels.base import BatchHandler, UpdateHandler
from bot.channels.errors import ChannelError, RetryAfter

log = logging.getLogger(__name__)

Fetch = Callable[[int | None, int], Awaitable[list[dict[str, Any]]]]
"""``fetch(offset, timeout)``: one getUpdates call, raising only channel errors."""

Call = Callable[[str, dict[str, Any]], Awaitable[Any]]

#: Seconds an ordinary Bot API call may take (aiogram's default session timeout).
REQUEST_TIMEOUT = 60.0
#: A long poll may take ``timeout`` seconds on the server; this much more is allowed on the wire.
POLL_MARGIN = 10.0
#: Backoff after a failed getUpdates or a failed store, doubling up to the maximum.
MIN_DELAY = 0.5
MAX_DELAY = 5.0

T = TypeVar("T")


def backoff(failures: int) -> float:
    """Seconds to wait after ``failures`` failures in a row (1, 2, ...)."""
    return float(min(MIN_DELAY * 2 ** max(failures - 1, 0), MAX_DELAY))


class LongPolling:
    """Long polling for one bot account; one instance per channel, stopped once."""

    def __init__(self, fetch: Fetch, call: Call, *, timeout: int) -> None:
        self._fetch = fetch
        self._call = call
        self._timeout = timeout
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """End :meth:`run`: a poll in flight is dropped, a store in progress finishes first."""
        self._stopping.set()

    async def run(self, on_update: UpdateHandler, on_batch: BatchHandler | None = None) -> None:
        """Fetch, store and confirm updates until :meth:`stop`."""
        if self._stopping.is_set():
            return
        # A webhook left set by another deployment makes getUpdates fail with 409 Conflict.
        await self._call("deleteWebhook", {"drop_pending_updates": False})
        log.info("receiving updates by long polling (timeout %ss)", self._timeout)
        offset: int | None = None
        failures = 0
        while not self._stopping.is_set():
            try:
                batch = await self._unless_stopped(self._fetch(offset, self._timeout))
            except ChannelError as error:
                failures += 1
                delay = error.seconds if isinstance(error, RetryAfter) else backoff(failures)
                log.warning("getUpdates failed (%s); again in %.1fs", error, delay)
                await self._unless_stopped(asyncio.sleep(delay))
                continue
            failures = 0
            if on_batch is not None and batch:
                if not await self._store(on_batch, batch):
                    return
                offset = int(batch[-1]["update_id"]) + 1
                continue
            for update in batch or []:
                if not await self._store(on_update, update):
                    return
                # Confirmed to Telegram by the next getUpdates, which asks for this offset.
                offset = int(update["update_id"]) + 1

    async def _store(self, store: Callable[[Any], Awaitable[None]], updates: Any) -> bool:
        """Store ``updates`` (one update or a batch), retrying until it works; False when stopped
        before it did.

        Shielded, so that a stop or a cancellation lets the current insert commit instead of
        cutting the transaction; an update not stored is simply not confirmed.
        """
        failures = 0
        while not self._stopping.is_set():
            try:
                await asyncio.shield(store(updates))
            except Exception:
                failures += 1
                first = updates[0] if isinstance(updates, list) else updates
                log.exception(
                    "could not store update %s%s; retrying in %.1fs",
                    first.get("update_id"),
                    " and the rest of its batch" if isinstance(updates, list) else "",
                    backoff(failures),
                )
                await self._unless_stopped(asyncio.sleep(backoff(failures)))
            else:
                return True
        return False

    async def _unless_stopped(self, work: Awaitable[T]) -> T | None:
        """``await work``, or None as soon as :meth:`stop` is called (``work`` is cancelled)."""
        task = asyncio.ensure_future(work)
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait([task, stopping], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        return None if task.cancelled() else task.result()
