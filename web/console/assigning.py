"""Naming the person responsible for a report from the console (👤 Ditangani oleh).

As every action of the console, it is a request for the bot (``storage.console.queue_request``,
action :data:`~storage.console.ASSIGN_REQUEST`), taken by ``handlers.console_requests`` through
the group's own use case (``cases.assignment``), which tells the group it was done in the
console and by whom. The console checks first only what it can say at once: the report is the
viewer's unit's (the coordinator's: any), still open, and the person is someone of the report's
unit (its named officers and the members seen in its group, ``storage.assignees``).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.lifecycle import OPEN_STATUSES
from core.permissions import may_act
from storage import assignees
from storage.assignees import Candidate
from storage.console import ASSIGN_REQUEST, RELEASE_ARG, queue_request
from storage.console.query import UNASSIGNED
from storage.models import ConsoleRequest, Report, UnitChat
from web.console.audit import AuditAction, record
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, Refusal

#: The form's field naming the person ('' releases).
PERSON_FIELD = "petugas"


@dataclass(frozen=True)
class AssignForm:
    """The report page's form: the people of the report's unit, and who has it now."""

    action: str
    people: list[Candidate]
    current: str


async def _channel(session: AsyncSession, unit_id: int) -> str:
    """The channel of the unit's groups (where its people were seen)."""
    found = await session.scalar(
        select(UnitChat.channel).where(UnitChat.unit_id == unit_id).order_by(UnitChat.id)
    )
    return found or "telegram"


def _may_assign(who: Viewer, report: Report) -> bool:
    return (
        may_act(who.unit.kind, who.unit.id, report.unit_id)
        and report.status in OPEN_STATUSES
        and report.closed_at is None
    )


async def people(session: AsyncSession, unit_id: int) -> list[Candidate]:
    """Who a report of ``unit_id`` may be assigned to."""
    return await assignees.candidates(session, unit_id, await _channel(session, unit_id))


async def assign_form(session: AsyncSession, who: Viewer, report: Report) -> AssignForm | None:
    """The form, when the viewer may name someone on ``report`` now."""
    if not _may_assign(who, report) or report.unit_id is None:
        return None
    return AssignForm(
        ASSIGN_REQUEST, await people(session, report.unit_id), report.assignee_id or ""
    )


async def assignee_choices(
    session: AsyncSession, who: Viewer, everyone: str, nobody: str
) -> list[tuple[str, str]]:
    """The list's "Ditangani oleh" filter: any, nobody yet, and each person who handles a report
    the viewer may see."""
    stmt = select(Report.assignee_id, Report.assignee_name).where(Report.assignee_id.is_not(None))
    if who.visible is not None:
        stmt = stmt.where(Report.unit_id.in_(sorted(who.visible)))
    people: dict[str, str] = {}
    for user_id, name in await session.execute(stmt.distinct().limit(200)):
        people.setdefault(str(user_id), name or str(user_id))
    ordered = sorted(people.items(), key=lambda item: item[1].lower())
    return [("", everyone), (UNASSIGNED, nobody), *ordered]


async def queue_assignment(
    request: web.Request, session: AsyncSession, who: Viewer, report: Report
) -> int:
    """``POST /laporan/N/tindakan`` with ``aksi=as`` (its token already checked): the form's
    person ('' releases), through :func:`queue_assign`."""
    form = await request.post()
    person = str(form.get(PERSON_FIELD, "")).strip()[:64]
    return await queue_assign(request, session, who, report, person)


async def assign_arg(session: AsyncSession, who: Viewer, report: Report, person: str) -> str:
    """What naming ``person`` ('' releases) on ``report`` asks the bot (the request's ``reason``:
    the person's id, or :data:`RELEASE_ARG`); a :class:`Refusal` the console can say at once."""
    if not may_act(who.unit.kind, who.unit.id, report.unit_id) or report.unit_id is None:
        raise Refusal(403, "case.refused.not_yours")
    if not _may_assign(who, report):
        raise Refusal(409, "case.refused.assign_closed")
    if not person:
        if report.assignee_id is None:
            raise Refusal(409, "case.refused.assign_nobody")
        return RELEASE_ARG
    channel = await _channel(session, report.unit_id)
    if (
        not person.isdigit()
        or await assignees.candidate(session, report.unit_id, channel, person) is None
    ):
        raise Refusal(400, "case.refused.assign_unknown")
    if person == report.assignee_id:
        raise Refusal(409, "case.refused.assign_already")
    return person


def assign_row(
    config: ConsoleConfig, who: Viewer, report: Report, arg: str, batch_id: int | None = None
) -> ConsoleRequest:
    """The request for the bot, in the viewer's name (``arg``: :func:`assign_arg`'s)."""
    return ConsoleRequest(
        report_id=report.id,
        action=ASSIGN_REQUEST,
        note="",
        reason=arg,
        to_unit_id=None,
        unit_id=who.unit.id,
        user_id=who.session.user_id,
        user_name=who.session.user_name,
        session_id=who.session.id,
        created_at=config.clock(),
        done_at=None,
        refusal="",
        batch_id=batch_id,
    )


async def queue_assign(
    request: web.Request, session: AsyncSession, who: Viewer, report: Report, person: str
) -> int:
    """Check naming ``person`` ('' releases) on ``report``, queue it for the bot and audit it
    (the caller commits); its id. A refusal the console can say at once is a
    :class:`Refusal`."""
    config: ConsoleConfig = request.config_dict[CONFIG]
    arg = await assign_arg(session, who, report, person)
    queued = await queue_request(session, assign_row(config, who, report, arg))
    record(session, request, AuditAction.ACT, f"{report.tracking_no} {ASSIGN_REQUEST} {arg}")
    return queued
