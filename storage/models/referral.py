"""The bodies outside the kabupaten a report may be referred to (bukan kewenangan)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ReferralBody(Base):
    """An outside body (PLN, PDAM, BPJS, the province's roads, the police, BPN) the coordinator
    keeps: what it handles and how a citizen reaches it. Removing one only marks it inactive, so
    the reports referred to it keep its contacts."""

    __tablename__ = "referral_bodies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    handles: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(80), default="")
    web: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
