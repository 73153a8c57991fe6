"""Units, their group chats, officers and binding codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Unit(Base):
    """A unit that handles reports: the coordinator (Diskominfo), an OPD, a kecamatan or a desa.

    Area units carry the Kemendagri code of their area (``64.08.01`` for a kecamatan,
    ``64.08.01.2001`` for a desa); OPDs and the coordinator have none.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    area_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Whether relayed answers carry the officer's own name (otherwise only the unit's name).
    show_officer_name: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class UnitChat(Base):
    """A group chat bound to a unit; its officers act on the unit's reports there."""

    __tablename__ = "unit_chats"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_unit_chats_channel_chat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str] = mapped_column(String(8), default="id")
    bound_at: Mapped[datetime]
    bound_by: Mapped[str] = mapped_column(String(64), default="")
    # Unbound chats keep their row (and the links to their messages) with ``active`` false.
    active: Mapped[bool] = mapped_column(default=True)
    unbound_at: Mapped[datetime | None]
    unbound_reason: Mapped[str] = mapped_column(String(64), default="")


class UnitOfficer(Base):
    """Petugas yang ditunjuk: someone the unit named (``aduan units officers``), who has the
    group admins' rights over reports in the unit's groups without being a Telegram admin."""

    __tablename__ = "unit_officers"
    __table_args__ = (UniqueConstraint("unit_id", "channel", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(64), default="")


class UnitMember(Base):
    """Someone the bot has seen act in one of the unit's groups (a command, a button, a reply):
    the people a report can be assigned to besides the named officers (``cases.assignment``).
    Telegram does not list a group's members to a bot; whether they are still in the group is
    asked of Telegram when they are picked."""

    __tablename__ = "unit_members"
    __table_args__ = (
        UniqueConstraint("unit_id", "channel", "user_id", name="uq_unit_members_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    seen_at: Mapped[datetime]


class BindingCode(Base):
    """A one-time, expiring code that binds a group to a unit with ``/daftar CODE``."""

    __tablename__ = "binding_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_in_chat: Mapped[str] = mapped_column(String(64), default="")


#: The columns of the console's covering indexes (also named by migration 0008).
