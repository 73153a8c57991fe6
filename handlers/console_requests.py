"""An officer's action asked for in the console, taken as a group's button press is.

The console queues the request (``storage.console.requests``); the bot's inbox worker hands it
here as a :class:`~handlers.events.ConsoleRequested` event. The person is the console session's
(their Telegram id and name, their unit), an admin of that unit's group (the console's sessions
are issued only to them), so the use case checks what it checks for a button: the report is the
unit's (the coordinator's acts on any), the lifecycle allows the action now. The notices are the
button's (the card, the citizen's message, the card moving on a transfer), plus one line in the
holder's groups saying it was done in the console and by whom (for a bulk transfer, one line
for the whole bulk: ``handlers.console_bulk_summary``). The outcome (done, or the
refusal's reason key) is written on the request, in the same transaction, for the console's page.
"""

from __future__ import annotations

from cases.officer import Officer
from cases.supporters import may_merge
from core.decisions import DUPLICATE_REASON
from core.permissions import CaseAction
from core.roles import GroupRole
from handlers import assignment, officer_actions
from handlers.case import Case
from handlers.console_bulk_summary import after_bulk_transfer
from handlers.deps import HandlerDeps
from handlers.events import ConsoleRequested
from handlers.formatting import category_name
from handlers.notices import to_holder_groups
from handlers.officer_actions import refusal_key
from storage import referral_bodies
from storage.console import ASSIGN_REQUEST, CONSOLE_ACTIONS, RELEASE_ARG, finish_request
from storage.console.bulk_requests import request_with_bulk
from storage.models import ConsoleRequest, ReferralBody, Report, Unit
from storage.uow import UnitOfWork


async def on_request(uow: UnitOfWork, deps: HandlerDeps, event: ConsoleRequested) -> None:
    """Take the request once; a request already answered (a redelivery) is left alone."""
    request = await request_with_bulk(uow.session, event.request_id)
    if request is None or request.done_at is not None:
        return
    case = Case(uow=uow, deps=deps, now=deps.clock())
    report = await uow.reports.get(request.report_id)
    unit = await uow.units.get(request.unit_id)
    if report is None or unit is None or not unit.active:
        finish_request(request, case.now, "not_permitted")
        return
    name = request.user_name or unit.name
    officer = Officer(user_id=request.user_id, name=name, unit=unit, role=GroupRole.ADMIN)
    if request.action == ASSIGN_REQUEST:
        # The group's line ("… lewat konsol oleh …") is the assignment's own notice.
        person = None if request.reason == RELEASE_ARG else request.reason
        here = (event.channel, "")
        refused_as = await assignment.assign(
            case, report, officer, person, here=here, console_by=name
        )
        finish_request(request, case.now, refusal_key(refused_as))
        return
    refused, to_unit, original = await _take(case, request, report, officer)
    finish_request(request, case.now, refused)
    body = await _body(case, request) if request.action == CaseAction.REFER else None
    if request.action == CaseAction.TRANSFER and request.batch_id is not None:
        # A bulk transfer: one line for the whole bulk in the receiving groups.
        await after_bulk_transfer(case, request, name)
    elif not refused:
        key = f"group.console.{'dup' if original else request.action}"
        to = to_unit.name if to_unit else "-"
        await to_holder_groups(
            case,
            report,
            key,
            officer=name,
            unit=to,
            text=request.note or "-",
            original=original.tracking_no if original else "-",
            category=category_name(deps.categories, report.category, "id"),
            body=body.name if body else "-",
        )


async def _take(
    case: Case, request: ConsoleRequest, report: Report, officer: Officer
) -> tuple[str, Unit | None, Report | None]:
    """The use case of the request's action: a refusal's reason key ('' when done), a
    transfer's destination and a duplicate's original."""
    try:
        action = CaseAction(request.action)
    except ValueError:
        return "not_allowed", None, None
    if action not in CONSOLE_ACTIONS:
        return "not_allowed", None, None
    if action == CaseAction.ANSWER:
        refused = await officer_actions.answer_reporter(case, report, officer, request.note, ())
        return refused, None, None
    to_unit = await case.uow.units.get(request.to_unit_id) if request.to_unit_id else None
    if action == CaseAction.TRANSFER and (to_unit is None or not to_unit.active):
        return "unknown_unit", None, None
    original = None
    if action == CaseAction.ARCHIVE and request.reason == DUPLICATE_REASON:
        # As the group's picker: an open report, not this one, not confidential.
        found = await case.uow.reports.get(request.original_id) if request.original_id else None
        if not may_merge(report, found):
            return "original_required", None, None
        original = found
    # A change of category carries the new category's code in the request's ``reason``, a
    # referral its outside body's number (looked up again: removed since, it is refused).
    category = request.reason if action == CaseAction.RECATEGORIZE else ""
    body = await _body(case, request) if action == CaseAction.REFER else None
    carried = bool(category) or action == CaseAction.REFER
    refused = await officer_actions.act(
        case,
        report,
        action,
        officer,
        note=request.note,
        reason="" if carried else request.reason,
        to_unit=to_unit,
        original=original,
        category=category,
        body=body,
    )
    return refused, to_unit, original


async def _body(case: Case, request: ConsoleRequest) -> ReferralBody | None:
    """A referral's outside body, by the number the request carries (None: no such body)."""
    raw = request.reason
    return await referral_bodies.get(case.uow.session, int(raw)) if raw.isdigit() else None
