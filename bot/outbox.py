"""The outbox worker: sends committed messages, in order per chat, until each is delivered.

Retries network trouble and 5xx with capped exponential backoff, waits out 429 ``retry_after``,
and gives up only on permanent refusals (blocked by the user, chat not found), which are recorded.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.channels.base import Channel
from bot.channels.errors import IgnorableError, PermanentError, RetryAfter, TransientError
from bot.clock import Clock
from bot.inbox import UowFactory
from bot.telegram_render import render
from bot.worker import Worker
from handlers.actions import action_from_dict

log = logging.getLogger(__name__)

BACKOFF_START_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> float:
    """1 s, 2 s, 4 s ... capped at 60 s, with ±20 % jitter so chats do not retry in lockstep."""
    base = min(BACKOFF_CAP_SECONDS, BACKOFF_START_SECONDS * 2.0 ** min(max(0, attempts), 16))
    jitter: float = (rng or random).uniform(0.8, 1.2)
    return min(BACKOFF_CAP_SECONDS, base * jitter)


class Pacer:
    """A token bucket: on average at most ``per_second`` sends overall, short bursts allowed.

    Keeps the bot under Telegram's ~30 messages/s overall; per-chat (1/s) and per-group (20/min)
    scheduling is a later issue. ``per_second <= 0`` means no limit.
    """

    def __init__(self, per_second: float, burst: float = 5.0) -> None:
        self._rate = per_second
        self._burst = max(1.0, burst)
        self._tokens = self._burst
        self._updated: float | None = None

    async def wait(self) -> None:
        if self._rate <= 0:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._updated is not None:
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        # Take the token now (possibly going negative) so concurrent senders queue up fairly.
        self._tokens -= 1.0
        if self._tokens < 0:
            await asyncio.sleep(-self._tokens / self._rate)


@dataclass(frozen=True)
class _Row:
    """What the worker needs of an outbox row, detached from its session."""

    id: int
    channel: str
    chat_id: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class _Outcome:
    sent: bool = False
    message_id: int | None = None
    retry_at: datetime | None = None
    failed: bool = False
    error: str = ""


class OutboxWorker(Worker):
    def __init__(
        self,
        *,
        uow_factory: UowFactory,
        channels: Mapping[str, Channel],
        clock: Clock,
        per_second: float = 28.0,
        poll_seconds: float = 0.5,
        batch: int = 50,
        concurrency: int = 16,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(poll_seconds)
        self._uow_factory = uow_factory
        self._channels = channels
        self._clock = clock
        self._pacer = Pacer(per_second)
        self._batch = batch
        self._rng = rng
        self._slots = asyncio.Semaphore(max(1, concurrency))

    async def run_once(self) -> bool:
        return await self.send_due() > 0

    async def send_due(self) -> int:
        """Send what is due; returns how many rows were settled (sent or failed for good).

        Each chat's rows go out one after another, in order, stopping at the first that must be
        retried later; different chats are sent concurrently. The outcomes are recorded in one
        transaction. A crash between a send and that commit sends the message again after
        restart: delivery is at least once.
        """
        rows = await self._due()
        if not rows or self.stopping:
            return 0
        queues: dict[tuple[str, str], list[_Row]] = defaultdict(list)
        for row in rows:
            queues[(row.channel, row.chat_id)].append(row)
        results = await asyncio.gather(*(self._send_chat(queue) for queue in queues.values()))
        settled = [pair for result in results for pair in result]
        await self._record(settled)
        return sum(1 for _, outcome in settled if outcome.sent or outcome.failed)

    async def _send_chat(self, queue: list[_Row]) -> list[tuple[_Row, _Outcome]]:
        async with self._slots:
            settled: list[tuple[_Row, _Outcome]] = []
            for row in queue:
                outcome = await self._send(row)
                settled.append((row, outcome))
                if not (outcome.sent or outcome.failed) or self.stopping:
                    break
            return settled

    async def _due(self) -> list[_Row]:
        async with self._uow_factory() as uow:
            rows = await uow.outbox.due(now=self._clock(), limit=self._batch)
            return [_Row(r.id, r.channel, r.chat_id, dict(r.payload), r.attempts) for r in rows]

    async def _send(self, row: _Row) -> _Outcome:
        channel = self._channels.get(row.channel)
        if channel is None:
            return _Outcome(failed=True, error=f"no channel named {row.channel!r}")
        try:
            method, params = render(action_from_dict(row.payload))
        except (KeyError, TypeError, ValueError) as exc:
            return _Outcome(failed=True, error=f"unreadable outbox payload: {exc!r}")
        # Answering a button press is not a message: Telegram does not count it against the limits.
        if method != "answerCallbackQuery":
            await self._pacer.wait()
        try:
            result = await channel.call(method, params)
        except Exception as exc:
            return self._outcome_of_error(row, exc)
        return _Outcome(sent=True, message_id=_message_id(result))

    def _outcome_of_error(self, row: _Row, exc: Exception) -> _Outcome:
        now = self._clock()
        if isinstance(exc, IgnorableError):
            return _Outcome(sent=True)
        if isinstance(exc, RetryAfter):
            return _Outcome(retry_at=now + timedelta(seconds=exc.seconds), error="retry_after")
        if isinstance(exc, PermanentError):
            # Telegram's description ("Forbidden: bot was blocked by the user") has no message text.
            log.warning("outbox row %d failed permanently: %s", row.id, exc.description)
            return _Outcome(failed=True, error=exc.description or type(exc).__name__)
        if not isinstance(exc, TransientError):
            log.error("outbox row %d: unexpected %s", row.id, type(exc).__name__, exc_info=exc)
        delay = backoff_delay(row.attempts, rng=self._rng)
        return _Outcome(retry_at=now + timedelta(seconds=delay), error=type(exc).__name__)

    async def _record(self, settled: list[tuple[_Row, _Outcome]]) -> None:
        now = self._clock()
        async with self._uow_factory() as uow:
            for row, outcome in settled:
                if outcome.sent:
                    await uow.outbox.mark_sent(row.id, message_id=outcome.message_id, now=now)
                elif outcome.failed:
                    await uow.outbox.mark_failed(row.id, error=outcome.error, now=now)
                elif outcome.retry_at is not None:
                    await uow.outbox.retry_later(
                        row.id, until=outcome.retry_at, error=outcome.error
                    )
            await uow.commit()


def _message_id(result: Any) -> int | None:
    """The sent message's id when the result is a Message (editMessageText may return True)."""
    if isinstance(result, Mapping) and isinstance(result.get("message_id"), int):
        return int(result["message_id"])
    return None
