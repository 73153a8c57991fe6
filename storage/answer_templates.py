"""Ready answers in the database (``core.templates``, ``storage.models.AnswerTemplate``).

A unit's groups see the unit's templates and the kabupaten-wide ones (``unit_id`` NULL); the
coordinator's groups keep the kabupaten-wide ones. A report is offered those that fit it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.templates import Draft
from storage.models import AnswerTemplate


def _owner(unit_id: int | None) -> ColumnElement[bool]:
    kabupaten = AnswerTemplate.unit_id.is_(None)
    return kabupaten if unit_id is None else AnswerTemplate.unit_id == unit_id


def _read_by(unit_id: int | None) -> ColumnElement[bool]:
    """The templates a group of ``unit_id`` reads: its own and the kabupaten-wide ones."""
    kabupaten = AnswerTemplate.unit_id.is_(None)
    return kabupaten if unit_id is None else or_(kabupaten, AnswerTemplate.unit_id == unit_id)


async def listed(session: AsyncSession, unit_id: int | None) -> Sequence[AnswerTemplate]:
    """What a group keeps and reads: the unit's own templates, then the kabupaten-wide ones
    (``unit_id`` None: the kabupaten-wide ones only)."""
    found = await session.scalars(
        select(AnswerTemplate)
        .where(_read_by(unit_id))
        .order_by(AnswerTemplate.unit_id.is_(None), AnswerTemplate.category, AnswerTemplate.id)
    )
    return found.all()


async def fitting(
    session: AsyncSession, unit_id: int | None, category: str, limit: int
) -> Sequence[AnswerTemplate]:
    """The templates offered for a report held by ``unit_id`` in ``category``: the unit's
    first, then the kabupaten-wide ones; the category's before the ones for every category."""
    found = await session.scalars(
        select(AnswerTemplate)
        .where(_read_by(unit_id), AnswerTemplate.category.in_([category, ""]))
        .order_by(
            AnswerTemplate.unit_id.is_(None),
            AnswerTemplate.category == "",
            AnswerTemplate.id,
        )
        .limit(limit)
    )
    return found.all()


async def get(session: AsyncSession, template_id: int) -> AnswerTemplate | None:
    return await session.get(AnswerTemplate, template_id)


def add(
    session: AsyncSession, unit_id: int | None, draft: Draft, created_by: str, now: datetime
) -> AnswerTemplate:
    """Save ``draft`` (already checked: ``core.templates.problem``) as ``unit_id``'s."""
    template = AnswerTemplate(
        unit_id=unit_id,
        category=draft.category,
        title=draft.title,
        body=draft.body,
        created_by=created_by,
        created_at=now,
    )
    session.add(template)
    return template


async def remove(session: AsyncSession, unit_id: int | None, template_id: int) -> bool:
    """Delete ``unit_id``'s template ``template_id``; False when it is not theirs (or gone)."""
    template = await session.scalar(
        select(AnswerTemplate).where(AnswerTemplate.id == template_id, _owner(unit_id))
    )
    if template is None:
        return False
    await session.delete(template)
    return True
