"""Wake the elected sender when another process commits a message (PostgreSQL only).

Several ``aduan run`` processes share one PostgreSQL database; one of them is the sender
(runtime/leader.py). A process wakes its own outbox worker when it commits a reply, but a reply
committed by another process used to wait for the sender's next poll. The outbox table's trigger
(migration 0011) sends ``NOTIFY aduan_outbox`` with every insert, delivered only on commit; the
sender listens on a connection of its own and wakes its worker at each notification.

The poll stays as the safety net: a notification can be missed while the connection is down,
and rows retried later are found by the poll. When the connection drops (the server restarted,
the network went away, a check query gets no answer), the worker is woken once, the listener
reconnects with capped backoff, and on reconnecting wakes the worker again for whatever was
committed meanwhile. The connection's address is never logged (it may hold a password).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

#: The channel the outbox trigger notifies (storage/migrations/versions/0011_outbox_notify.py).
OUTBOX_CHANNEL = "aduan_outbox"

Connect = Callable[[], Awaitable[Any]]
"""Opens a new asyncpg connection."""


def asyncpg_connect(engine: AsyncEngine) -> Connect:
    """Open connections to the engine's PostgreSQL server with the engine's own settings (host,
    credentials, TLS), but outside its pool: the listening connection is held for as long as the
    process is the sender."""
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    # SQLAlchemy's own options, not asyncpg's.
    for key in ("prepared_statement_cache_size", "prepared_statement_name_func", "async_fallback"):
        kwargs.pop(key, None)

    async def connect() -> Any:
        import asyncpg

        return await asyncpg.connect(*args, timeout=10, **kwargs)

    return connect


class OutboxWakeups:
    """Listens for committed outbox rows and calls ``wake``; a duty of the elected sender
    (:class:`runtime.leader.Duty`)."""

    def __init__(
        self,
        connect: Connect,
        wake: Callable[[], None],
        *,
        check_seconds: float = 10.0,
        retry_start: float = 0.5,
        retry_cap: float = 30.0,
    ) -> None:
        self._connect = connect
        self._wake = wake
        self._check = check_seconds
        self._retry_start = retry_start
        self._retry_cap = retry_cap
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: Set while a connection listens (tests wait for it before committing).
        self.listening = asyncio.Event()
        #: How many times a connection started listening.
        self.connections = 0
        #: Notifications received.
        self.notified = 0

    # --- the duty ------------------------------------------------------------------------------

    async def take_up(self) -> None:
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.run(), name="aduan-outbox-wakeups")

    async def hand_over(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stop.set()
        await task

    def check(self) -> None:
        return None  # it never stops with an error: without it, the poll still sends

    # --- the loop ------------------------------------------------------------------------------

    async def run(self) -> None:
        """Until stopped: listen, and reconnect (with backoff) whenever the connection is lost."""
        delay = self._retry_start
        while not self._stop.is_set():
            listened = await self._listen_once()
            if self._stop.is_set():
                break
            self._wake()  # a commit may have gone unnoticed as the connection went
            if listened:
                delay = self._retry_start
            log.warning(
                "outbox notifications: no listening connection; polling, retrying in %.1fs", delay
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            delay = min(self._retry_cap, delay * 2)

    async def _listen_once(self) -> bool:
        """One connection's life; True if it got as far as listening."""
        try:
            connection = await self._connect()
        except Exception as error:
            log.warning("outbox notifications: cannot connect (%s)", type(error).__name__)
            return False
        lost = asyncio.Event()
        listened = False
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(OUTBOX_CHANNEL, self._on_notification)
            listened = True
            self.connections += 1
            self.listening.set()
            log.info("outbox notifications: listening")
            self._wake()  # whatever was committed before the listening began
            await self._watch(connection, lost)
        except Exception as error:
            log.warning("outbox notifications: connection lost (%s)", type(error).__name__)
        finally:
            self.listening.clear()
            await _close(connection)
        return listened

    async def _watch(self, connection: Any, lost: asyncio.Event) -> None:
        """Return when stopped or the connection is gone; a quiet connection is checked now and
        then, since a dead network may close nothing."""
        stop = asyncio.ensure_future(self._stop.wait())
        gone = asyncio.ensure_future(lost.wait())
        try:
            while not (self._stop.is_set() or lost.is_set()):
                await asyncio.wait(
                    {stop, gone}, timeout=self._check, return_when=asyncio.FIRST_COMPLETED
                )
                if self._stop.is_set() or lost.is_set():
                    break
                await asyncio.wait_for(connection.execute("SELECT 1"), self._check)
        finally:
            stop.cancel()
            gone.cancel()

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, _payload: str) -> None:
        self.notified += 1
        self._wake()


async def _close(connection: Any) -> None:
    try:
        await asyncio.wait_for(connection.close(), 5)
    except Exception:
        with contextlib.suppress(Exception):
            connection.terminate()
