"""An officer's actions on a report (tindakan petugas): verify, ask the reporter for
information, record a follow-up, finish, transfer, archive (as a duplicate too), and a reply
relayed to the reporter.

Each use case does one press's domain work in the caller's unit of work and checks permission
once, in one order: whether the report is the group's unit's (``core.permissions.may_act``; the
coordinator's group acts on any), then ``core.decisions.decide`` (the status, the target, the
reason; and what changes), then the role table (``core.roles``: the person's role in the group).
A refusal comes back as a value (:data:`Refused`) that the door renders; on success the use
case writes the decision and tells the door's :class:`OfficerNotices` which notices are owed.
The person's role is resolved by the door *before* the use case (it may need Telegram's
``getChatMember``): the use case makes no network call (docs/cases.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from cases.changes import Work
from core.categories import category_by_code
from core.decisions import Actor, Decision, Refusal
from core.permissions import CaseAction, may_act, refusal
from core.roles import GroupAction, GroupRole, for_case, may, required_role
from core.timeline import EventKind
from storage.models import ReferralBody, Report, Unit


@dataclass(frozen=True)
class Officer:
    """The person acting in a unit group (a Telegram user), the unit of that group and their
    role in it. ``role`` None: a door without group roles (a test, a tool) has checked who
    may act by its own means."""

    user_id: str
    name: str
    unit: Unit
    role: GroupRole | None = None

    @property
    def actor(self) -> Actor:
        return Actor.officer(self.user_id, self.name, self.unit.id, self.unit.kind)


@dataclass(frozen=True)
class RoleRefusal:
    """The person's role in the group does not allow ``action``; ``needs`` is the least role
    that does (what the refusal names)."""

    action: GroupAction
    needs: GroupRole


#: Why an officer's action was not done: the lifecycle's reason key, or the role's.
Refused = Refusal | RoleRefusal


@dataclass(frozen=True)
class OfficerStep:
    """What the officer asked for: the action and its words (``note``), an archive ``reason``,
    a transfer's ``to_unit``, for a duplicate the open ``original`` it is merged into, and a
    change of category's new ``category`` code, and a referral's outside ``body``."""

    action: CaseAction
    note: str = ""
    reason: str = ""
    to_unit: Unit | None = None
    original: Report | None = None
    category: str = ""
    body: ReferralBody | None = None


class OfficerNotices(Protocol):
    """What an officer's action owes, rendered by the door in the same unit of work."""

    async def acted(
        self,
        report: Report,
        decision: Decision,
        step: OfficerStep,
        officer: Officer,
        old_unit: Unit | None,
    ) -> None:
        """The notices ``decision`` owes (``old_unit``: who held the report before)."""
        ...

    async def answered(
        self, report: Report, decision: Decision, officer: Officer, language: str
    ) -> None:
        """An officer's reply owes the reporter (writing in ``language``) the unit's words."""
        ...


def _role_refusal(officer: Officer, action: GroupAction) -> RoleRefusal | None:
    if officer.role is None or may(officer.role, action):
        return None
    return RoleRefusal(action, required_role(action))


def may_start(officer: Officer, report: Report, action: CaseAction) -> Refused | None:
    """Whether ``officer`` may open ``action``'s prompt or picker on ``report``: the one check
    of a press that only asks for the action's words (the action itself is checked when it is
    taken). In the order the group hears it: another unit's report, the status, the role."""
    if not may_act(officer.unit.kind, officer.unit.id, report.unit_id):
        return Refusal("not_yours")
    reason = refusal(action, report.status, officer.actor.kind)
    if reason:
        return Refusal(reason)
    return _role_refusal(officer, for_case(action))


async def act(
    work: Work, report: Report, step: OfficerStep, officer: Officer, notices: OfficerNotices
) -> Refused | None:
    """Take ``step`` on ``report``; None when it was done (written, notices queued)."""
    await work.uow.reports.lock(report)  # another press on it waits until this one is written
    if not may_act(officer.unit.kind, officer.unit.id, report.unit_id):
        return Refusal("not_yours")
    body = step.body
    if step.action == CaseAction.REFER and (body is None or not body.active):
        return Refusal("unknown_body")  # removed from the list after the buttons were drawn
    old_unit = await work.uow.units.get(report.unit_id) if report.unit_id else None
    original = step.original
    outcome = work.decide(
        report,
        step.action,
        officer.actor,
        note=body.name if body is not None else step.note,
        reason=step.reason,
        to=step.to_unit,
        duplicate_of=original.tracking_no if original is not None else "",
    )
    if isinstance(outcome, Refusal):
        return outcome
    if step.action == CaseAction.RECATEGORIZE:
        changed = recategorized(work, report, step.category)
        if isinstance(changed, Refusal):
            return changed
        outcome = replace(outcome, events=(replace(outcome.event, note=changed),))
    role_refused = _role_refusal(officer, for_case(step.action))
    if role_refused is not None:
        return role_refused
    work.write(report, outcome)
    if step.action == CaseAction.RECATEGORIZE:
        report.category = step.category  # the roll-up's trigger moves the counts with it
    if step.action == CaseAction.TRANSFER and report.assignee_id:
        # The person responsible was the old unit's: the new holder names its own.
        work.record(report, EventKind.RELEASED, officer.actor, note=report.assignee_name)
        report.assignee_id, report.assignee_name = None, ""
    if step.action in (CaseAction.REFER, CaseAction.UNREFER):
        report.referral_body_id = body.id if body is not None else None
    await notices.acted(report, outcome, step, officer, old_unit)
    return None


def recategorized(work: Work, report: Report, code: str) -> str | Refusal:
    """The timeline's note of a change of ``report``'s category to ``code`` ("Sampah → Jalan",
    the names in the deployment's first language), or why it cannot be: a code that is no
    category (a forged button or form), the category it already has."""
    new = category_by_code(work.categories, code)
    if new is None:
        return Refusal("unknown_category")
    if new.code == report.category:
        return Refusal("same_category")
    old = category_by_code(work.categories, report.category)
    return f"{old.name_id if old else report.category} → {new.name_id}"


async def answer_reporter(
    work: Work, report: Report, officer: Officer, text: str, notices: OfficerNotices
) -> Refused | None:
    """An officer's reply, relayed to the reporter as the unit's answer."""
    await work.uow.reports.lock(report)
    if not may_act(officer.unit.kind, officer.unit.id, report.unit_id):
        return Refusal("not_yours")
    citizen = await work.uow.citizens.by_id(report.citizen_id)
    if citizen is None:
        return Refusal("not_allowed")
    outcome = work.decide(report, CaseAction.ANSWER, officer.actor, note=text)
    if isinstance(outcome, Refusal):
        return outcome
    role_refused = _role_refusal(officer, GroupAction.ANSWER)
    if role_refused is not None:
        return role_refused
    work.write(report, outcome)
    await notices.answered(report, outcome, officer, citizen.language)
    return None
