"""Repositories: queries and row changes. They never commit; the unit of work does.

One module per repository; this package names them all, so callers import from
``storage.repositories`` whichever module holds the class."""

from storage.repositories.conversations import CitizenRepository, ConversationRepository
from storage.repositories.inbox import REDELIVERY_WINDOW, InboxRepository, PendingKey
from storage.repositories.links import LinkRepository
from storage.repositories.outbox import LANE_KEY, REPLY_LANE, OutboxRepository
from storage.repositories.reports import ReportRepository
from storage.repositories.units import UnitRepository

__all__ = [
    "LANE_KEY",
    "REDELIVERY_WINDOW",
    "REPLY_LANE",
    "CitizenRepository",
    "ConversationRepository",
    "InboxRepository",
    "LinkRepository",
    "OutboxRepository",
    "PendingKey",
    "ReportRepository",
    "UnitRepository",
]
