"""The console's saved views, and the names of the full-text search objects migration 0017
makes outside the models (engine-specific: SQLite's FTS5 tables, PostgreSQL's GIN indexes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

#: SQLite FTS5 tables (each with its shadow tables, named after it) kept by triggers.
SEARCH_TABLES = ("report_search", "report_event_search")
#: PostgreSQL expression indexes over ``to_tsvector('simple', …)``.
SEARCH_INDEXES = ("ix_reports_search", "ix_report_events_search")


def described_by_models(name: str | None, kind: str) -> bool:
    """False for the search objects above, which no model describes (a schema comparison
    leaves them out); True for everything else."""
    if name is None:
        return True
    if kind == "table":
        return not any(name == t or name.startswith(t + "_") for t in SEARCH_TABLES)
    return not (kind == "index" and name in SEARCH_INDEXES)


class ConsoleView(Base):
    """A list's filters, search and sort saved under a name by one person of one unit.

    ``person`` is who signed in: ``tg:`` and the Telegram id of a ``/dasbor`` link, or ``nama:``
    and the name given to ``aduan console link``. ``query`` is the list's address query."""

    __tablename__ = "console_views"
    __table_args__ = (Index("ix_console_views_person", "unit_id", "person", "name", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(270))
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
