"""Prometheus metrics of one process, served at ``GET /metrics`` on the webhook listener.

Counters are this process's own; the backlog gauges are read from the database at each scrape
(every process shows the same backlog: alert on any one of them). The registry belongs to the
App, not to the module, so that nothing is built at import time and several apps (tests, the
sandbox) never share counters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from sqlalchemy import func, select

from storage.models import InboxUpdate, OutboxMessage
from storage.uow import UnitOfWork


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
