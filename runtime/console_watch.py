"""Wake the inbox when the console queued a request (``console_requests``).

The console is a process of its own: it stores an officer's request and its inbox row
(``storage.console.queue_request``), and nothing told the bot, whose inbox worker found the row
at its next idle poll (5 s). A bulk transfer of 500 reports then waited up to 5 s before the
first was taken. This worker looks at the newest request's id every ``poll_seconds`` (0.5 s by
default, ``CONSOLE_POLL_SECONDS``; a primary-key lookup) and wakes the inbox when it grew; the
inbox then takes every waiting request in its rounds, side by side as it takes chats. It works
alike on SQLite (another process cannot signal this one) and PostgreSQL (every process of a
deployment watches and wakes its own inbox; the inbox's leases keep each request taken once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from runtime.worker import Worker
from storage.console import newest_request
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class ConsoleWatch(Worker):
    """Calls ``wake`` when a console request was queued since the last look."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        wake: Callable[[], None],
        *,
        poll_seconds: float = 0.5,
    ) -> None:
        super().__init__(poll_seconds)
        self._uow_factory = uow_factory
        self._wake = wake
        self._newest: int | None = None
        #: How many times it woke the inbox (tests, metrics).
        self.woken = 0

    async def run_once(self) -> bool:
        try:
            async with self._uow_factory() as uow:
                newest = await newest_request(uow.session)
        except Exception as error:  # the database away for a moment: the inbox's poll remains
            log.warning("console requests: cannot look (%s)", type(error).__name__)
            return False
        # The first look only learns where the requests are: the inbox's own first round takes
        # whatever waited before the bot started.
        if self._newest is not None and newest > self._newest:
            self.woken += 1
            self._wake()
        self._newest = newest
        return False
