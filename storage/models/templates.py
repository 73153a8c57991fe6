"""Ready answers (``core.templates``): a unit's, or the whole kabupaten's (``unit_id`` None)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class AnswerTemplate(Base):
    """A ready answer. ``category`` '' fits every category; ``created_by`` names who saved it
    (a Telegram id, or the seed's '')."""

    __tablename__ = "answer_templates"
    __table_args__ = (Index("ix_answer_templates_unit", "unit_id", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
