"""Reports filed on a citizen's behalf by an officer (lapor atas nama warga: at the counter or
by phone), and the claim code that lets the citizen follow the report in their own chat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class CounterFiling(Base):
    """How a report filed on someone's behalf came (``via``: ``loket`` or ``telepon``), who took
    it, and its claim code (only its hash): the report's ``channel`` says it too until claimed."""

    __tablename__ = "counter_filings"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    via: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    officer_id: Mapped[str] = mapped_column(String(64))
    officer_name: Mapped[str] = mapped_column(String(200), default="")
    claim_hash: Mapped[str] = mapped_column(String(64))
    # Wrong claim codes in a row, and until when claims of this report are held back.
    claim_failures: Mapped[int] = mapped_column(Integer, default=0)
    claim_held_until: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
