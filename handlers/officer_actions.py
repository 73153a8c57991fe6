"""Officers' actions on a report (tindakan petugas) as the groups and the reporter hear them.

The domain work (the permission check, the decision, writing it) is ``cases.officer``;
:class:`OfficerMessages` is its notices port: it sends what a decision owes
(:func:`handlers.notices.deliver`), with the officer's photos for the reporter. :func:`act`
and :func:`answer_reporter` are the short way in for the doors that have a :class:`Case`.
See docs/cases.md for one action's path, file by file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cases import officer as cases_officer
from cases.officer import Officer, OfficerStep, Refused, RoleRefusal
from cases.supporters import follow_original
from core.decisions import Audience, Decision
from core.permissions import CaseAction
from handlers.carried_media import send_photos_to_reporter
from handlers.case import Case
from handlers.events import Photo
from handlers.formatting import category_name
from handlers.notices import (
    confirm_markup,
    deliver,
    due_text,
    move_cards,
    notify_reporter,
    refresh_cards,
    reporter_language,
)
from handlers.referral_words import contacts
from handlers.stage_dates import stage_due
from storage.models import ReferralBody, Report, Unit


@dataclass(frozen=True)
class OfficerMessages:
    """``cases.officer.OfficerNotices`` for the chat: the notices a decision owes, in the
    case's unit of work, and the officer's ``photos`` for the reporter."""

    case: Case
    photos: Sequence[Photo] = ()

    async def acted(
        self,
        report: Report,
        decision: Decision,
        step: OfficerStep,
        officer: Officer,
        old_unit: Unit | None,
    ) -> None:
        case, action, note = self.case, step.action, step.note
        language = await reporter_language(case, report)
        sender = sender_name(officer)
        due = due_text(report, language)
        values: dict[str, object] = {"unit": sender, "text": note, "due": due}
        if action == CaseAction.VERIFY:
            values["unit"] = old_unit.name if old_unit else "-"
        elif action == CaseAction.ARCHIVE:
            label = case.tr(language).t(f"archive.reason.{step.reason}") if step.reason else "-"
            values.update(reason=label, note=note or "-")
            if step.original is not None:
                values["original"] = step.original.tracking_no
        elif action == CaseAction.RECATEGORIZE:
            values["category"] = category_name(case.deps.categories, report.category, language)
        elif action == CaseAction.REFER:
            assert step.body is not None
            values.update(body=step.body.name, contacts=contacts(case.tr(language), step.body))
        elif action == CaseAction.UNREFER:
            values["unit"] = old_unit.name if old_unit else "-"
        elif action == CaseAction.TRANSFER:
            assert step.to_unit is not None
            # After a transfer before verification the clock is the verification's: say so.
            tr = case.tr(language)
            due = stage_due(tr, report.status, report.due_date, case.deps.calendar, case.today())
            values.update(unit=step.to_unit.name, reason=note or "-", due=due)

        async def confirm() -> None:
            markup = confirm_markup(case, case.tr(language), report)
            await notify_reporter(
                case, report, "notify.done", markup=markup, unit=sender, text=note, due=due
            )

        async def move() -> None:
            assert step.to_unit is not None
            await move_cards(case, report, old_unit, step.to_unit)

        # A transfer's photos stay with the card; an internal note reaches no reporter at all.
        if action not in (CaseAction.TRANSFER, CaseAction.INTERNAL_NOTE):
            await send_photos_to_reporter(case, report, self.photos)
        special = {Audience.REPORTER_CONFIRM: confirm, Audience.MOVE_CARDS: move}
        await deliver(case, report, decision, values, special=special)

    async def answered(
        self, report: Report, decision: Decision, officer: Officer, language: str
    ) -> None:
        case = self.case
        await send_photos_to_reporter(case, report, self.photos)
        words = {"unit": sender_name(officer), "text": decision.event.note or "-"}
        words["due"] = due_text(report, language)
        await deliver(case, report, decision, words)


def sender_name(officer: Officer) -> str:
    """How the reporter sees who answered: the unit, with the officer's name if it says so."""
    if officer.unit.show_officer_name and officer.name:
        return f"{officer.unit.name} ({officer.name})"
    return officer.unit.name


def refusal_key(refused: Refused | None) -> str:
    """A refusal as one reason key ('' when done); a role's refusal is ``not_permitted``."""
    if refused is None:
        return ""
    return "not_permitted" if isinstance(refused, RoleRefusal) else refused.reason


async def take(
    case: Case,
    report: Report,
    step: OfficerStep,
    officer: Officer,
    photos: Sequence[Photo] = (),
) -> Refused | None:
    """``cases.officer.act`` with the chat's notices; a duplicate's reporter then follows the
    original (``cases.supporters.follow_original``), whose cards show it."""
    refused = await cases_officer.act(
        case.work, report, step, officer, OfficerMessages(case, photos)
    )
    original = step.original
    if (
        refused is None
        and original is not None
        and await follow_original(case.work, report, original)
    ):
        await refresh_cards(case, original)
    return refused


async def act(
    case: Case,
    report: Report,
    action: CaseAction,
    officer: Officer,
    *,
    note: str = "",
    to_unit: Unit | None = None,
    reason: str = "",
    photos: Sequence[Photo] = (),
    original: Report | None = None,
    category: str = "",
    body: ReferralBody | None = None,
) -> str:
    """Apply an officer's action; returns a refusal reason key, or '' when it was done.
    ``original``: the open report a report archived as a duplicate is merged into;
    ``category``: a change of category's new code; ``body``: a referral's outside body."""
    step = OfficerStep(
        action,
        note=note,
        reason=reason,
        to_unit=to_unit,
        original=original,
        category=category,
        body=body,
    )
    return refusal_key(await take(case, report, step, officer, photos))


async def answer_reporter(
    case: Case, report: Report, officer: Officer, text: str, photos: Sequence[Photo]
) -> str:
    """An officer's reply, relayed to the reporter as the unit's answer."""
    messages = OfficerMessages(case, photos)
    return refusal_key(
        await cases_officer.answer_reporter(case.work, report, officer, text, messages)
    )
