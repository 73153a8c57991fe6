"""Posters (poster per desa/kecamatan, issue 31): each scan of a poster's QR code (a /start with
the poster's code), and the reports filed after one. Nothing of the person who scanned is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class PosterScan(Base):
    """One opening of the bot from a poster: the poster's code and when (no chat, no user)."""

    __tablename__ = "poster_scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poster_code: Mapped[str] = mapped_column(String(32), index=True)
    scanned_at: Mapped[datetime]


class PosterReport(Base):
    """A report filed in a conversation opened from a poster, and that poster's code."""

    __tablename__ = "poster_reports"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    poster_code: Mapped[str] = mapped_column(String(32), index=True)
