"""Prometheus metrics of one process, served at ``GET /metrics`` on the webhook listener.

Counters are this process's own (they start at zero with the process: use ``rate()`` or
``increase()``, which allow for restarts); the backlog gauges are read from the database at each
scrape (every process shows the same backlog: alert on any one of them). The registry belongs to the
App, not to the module, so that nothing is built at import time and several apps (tests, the
sandbox) never share counters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from sqlalchemy import func, select

from storage.models import InboxUpdate, OutboxMessage
from storage.uow import UnitOfWork

#: How an update's handling ended: committed, failed (tried again later), or given up after the
#: last attempt (the citizen gets an apology). Counted per update (an album's items each count).
UPDATE_OUTCOMES: Final = ("handled", "failed", "given_up")
#: What became of one send by the outbox: delivered; to be tried again after a network error, a
#: 5xx or a group's move; refused with 429 (tried again after ``retry_after``); refused for good.
SEND_RESULTS: Final = ("sent", "retried", "rate_limited", "given_up")
#: How a round of the clock (the reminder engine) ended.
ROUND_OUTCOMES: Final = ("done", "failed")


class Metrics:
    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], leaders: Mapping[str, Callable[[], bool]]
    ) -> None:
        self._uow_factory = uow_factory
        self._leaders = leaders
        self.registry = CollectorRegistry()
        self.updates_received = Counter(
            "aduan_updates_received",
            "Updates stored in the inbox by this process (redeliveries not counted)",
            registry=self.registry,
        )
        self._updates_handled = Counter(
            "aduan_updates_handled",
            "Updates whose handling ended, by outcome (handled, failed, given_up)",
            ["outcome"],
            registry=self.registry,
        )
        self._sends = Counter(
            "aduan_sends",
            "Sends by the outbox, by result (sent, retried, rate_limited, given_up)",
            ["result"],
            registry=self.registry,
        )
        self._throttled = Counter(
            "aduan_telegram_429",
            "429 Too Many Requests answers Telegram gave this process's sender (sends and pins)",
            registry=self.registry,
        )
        self._rounds = Counter(
            "aduan_clock_rounds",
            "Rounds of the clock (reminder engine) run by this process, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        # Every series exists from the start at zero, so a rate or an alert never sees a gap.
        for outcome in UPDATE_OUTCOMES:
            self._updates_handled.labels(outcome)
        for result in SEND_RESULTS:
            self._sends.labels(result)
        for outcome in ROUND_OUTCOMES:
            self._rounds.labels(outcome)
        self._backlog = Gauge("aduan_backlog", "Rows waiting", ["queue"], registry=self.registry)
        self._age = Gauge(
            "aduan_backlog_oldest_seconds",
            "Age of the oldest waiting row",
            ["queue"],
            registry=self.registry,
        )
        self._leader = Gauge(
            "aduan_leader",
            "1 while this process runs the duty (clock, sender)",
            ["duty"],
            registry=self.registry,
        )

    def update_handled(self, outcome: str, count: int = 1) -> None:
        """An outcome of :data:`UPDATE_OUTCOMES` for ``count`` updates (the inbox's hook)."""
        self._updates_handled.labels(outcome).inc(count)

    def send_result(self, result: str) -> None:
        """A result of :data:`SEND_RESULTS` for one send (the outbox's hook); a 429 is also
        counted in ``aduan_telegram_429``."""
        if result in SEND_RESULTS:
            self._sends.labels(result).inc()
        if result in ("rate_limited", "pin_rate_limited"):
            self._throttled.inc()

    def clock_round(self, outcome: str) -> None:
        """An outcome of :data:`ROUND_OUTCOMES` (the reminder engine's hook)."""
        self._rounds.labels(outcome).inc()

    async def render(self) -> bytes:
        """The exposition text, with the backlog read now."""
        now = datetime.now(UTC)
        async with self._uow_factory() as uow:
            for queue, model, done, since in (
                ("inbox", InboxUpdate, (InboxUpdate.processed_at,), InboxUpdate.received_at),
                (
                    "outbox",
                    OutboxMessage,
                    (OutboxMessage.sent_at, OutboxMessage.failed_at),
                    OutboxMessage.created_at,
                ),
            ):
                waiting = [column.is_(None) for column in done]
                row = (
                    await uow.session.execute(
                        select(func.count(model.id), func.min(since)).where(*waiting)
                    )
                ).one()
                count, oldest = int(row[0] or 0), row[1]
                self._backlog.labels(queue).set(count)
                age = 0.0 if oldest is None else (now - _aware(oldest)).total_seconds()
                self._age.labels(queue).set(max(0.0, age))
        for duty, leading in self._leaders.items():
            self._leader.labels(duty).set(1 if leading() else 0)
        return generate_latest(self.registry)


def _aware(moment: datetime) -> datetime:
    # func.min() bypasses the column type: SQLite gives back naive UTC text-parsed datetimes.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
