"""One named person responsible for a report (penanggung jawab: "👤 Ditangani: Budi").

A unit's group is several people; a report is the group's, so its reminders would ping everyone
and nobody. :func:`assign` names one person of the holding unit (a named officer, or a member
the bot has seen in the unit's group, ``storage.assignees``), or releases the one named
(``user_id`` None). Every door calls it: the card's buttons, the console's requests, and a bulk
action per report. It checks in the order the group hears it: the report is the group's unit's
(``core.permissions.may_act``; the coordinator's acts on any), the report is still open, the
role (``core.roles``: taking it yourself or letting go of your own is for every member, naming
or releasing someone else needs an admin or a named officer), then the person. Whether the
person is still in the group is asked of Telegram by the door before (``in_group``): the use
case makes no network call. The change is an event on the report's timeline for the unit and
the coordinator (``core.timeline.UNIT_ONLY``), never the citizen's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cases.changes import Work
from cases.officer import Officer, Refused, RoleRefusal
from core.decisions import Refusal
from core.lifecycle import OPEN_STATUSES
from core.permissions import may_act
from core.roles import GroupAction, may, required_role
from core.timeline import EventKind
from storage import assignees
from storage.models import Report


@dataclass(frozen=True)
class Assignment:
    """What changed: who has the report now ('' nobody) and who had it before ('' nobody)."""

    name: str
    previous: str
    by_self: bool  # the officer took it, or let go of their own


class AssignmentNotices(Protocol):
    """What an assignment owes (the cards, the groups), rendered by the door."""

    async def assigned(self, report: Report, officer: Officer, change: Assignment) -> None: ...


def action_of(officer: Officer, report: Report, user_id: str | None) -> GroupAction:
    """The role-table action of assigning ``user_id`` (None: releasing) as ``officer``: taking
    a report nobody has, or letting go of one's own, is ``TAKE``; the rest (taking it over from
    someone else too) is ``ASSIGN``."""
    if user_id is None:
        own = report.assignee_id == officer.user_id
    else:
        own = user_id == officer.user_id and report.assignee_id is None
    return GroupAction.TAKE if own else GroupAction.ASSIGN


def may_pick(officer: Officer, report: Report) -> Refused | None:
    """Whether ``officer`` may open the picker of people (the Tugaskan button)."""
    return _first_checks(officer, report, GroupAction.ASSIGN)


def _first_checks(officer: Officer, report: Report, action: GroupAction) -> Refused | None:
    if not may_act(officer.unit.kind, officer.unit.id, report.unit_id):
        return Refusal("not_yours")
    if report.status not in OPEN_STATUSES or report.closed_at is not None:
        return Refusal("assign_closed")
    if officer.role is not None and not may(officer.role, action):
        return RoleRefusal(action, required_role(action))
    return None


async def assign(
    work: Work,
    report: Report,
    officer: Officer,
    user_id: str | None,
    notices: AssignmentNotices,
    *,
    channel: str,
    in_group: bool = True,
) -> Refused | None:
    """Make ``user_id`` (on ``channel``) the one responsible for ``report``, or release it
    (None); None when it was done (written, notices queued)."""
    action = action_of(officer, report, user_id)
    refused = _first_checks(officer, report, action)
    if refused is not None:
        return refused
    previous = report.assignee_name if report.assignee_id else ""
    if user_id is None:
        if report.assignee_id is None:
            return Refusal("assign_nobody")
        name = ""
    else:
        if report.assignee_id == user_id:
            return Refusal("assign_already")
        if report.unit_id is None:  # nobody holds it: nobody's people to pick from
            return Refusal("assign_unknown")
        known = await assignees.candidate(work.uow.session, report.unit_id, channel, user_id)
        if user_id == officer.user_id and officer.unit.id == report.unit_id:
            name = officer.name or (known.name if known else "")
        elif known is None:
            return Refusal("assign_unknown")
        else:
            name = known.name
        if not in_group:
            return Refusal("assign_left")
    report.assignee_id = user_id
    report.assignee_name = (name or user_id or "")[:200]
    name = report.assignee_name  # someone known only by their id is named by it
    kind = EventKind.RELEASED if user_id is None else EventKind.ASSIGNED
    work.record(report, kind, officer.actor, note=previous if user_id is None else name)
    change = Assignment(name=name, previous=previous, by_self=action == GroupAction.TAKE)
    await notices.assigned(report, officer, change)
    return None
