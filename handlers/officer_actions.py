"""Officers' actions on a report (tindakan petugas): verify, ask, follow up, finish, transfer,
archive, and a reply relayed to the reporter.

Each goes through :meth:`handlers.case.Case.change` (``core.decisions.decide``: allowed or
refused with a reason, and what changes) and then sends what the decision owes
(:func:`handlers.notices.deliver`). See docs/lifecycle.md for one action's path, file by file.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.decisions import Audience, Refusal
from core.permissions import CaseAction
from handlers.case import Case, Officer
from handlers.events import Photo
from handlers.notices import (
    confirm_markup,
    deliver,
    due_text,
    move_cards,
    notify_reporter,
    reporter_language,
    send_photos_to_reporter,
)
from storage.models import Report, Unit


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
) -> str:
    """Apply an officer's action; returns a refusal reason key, or '' when it was done.
    ``original``: the open report a report archived as a duplicate is merged into."""
    old_unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    outcome = case.change(
        report,
        action,
        officer.actor,
        note=note,
        reason=reason,
        to=to_unit,
        duplicate_of=original.tracking_no if original is not None else "",
    )
    if isinstance(outcome, Refusal):
        return outcome.reason
    language = await reporter_language(case, report)
    sender = sender_name(officer)
    values: dict[str, object] = {"unit": sender, "text": note, "due": due_text(report, language)}
    if action == CaseAction.VERIFY:
        values["unit"] = old_unit.name if old_unit else "-"
    elif action == CaseAction.ARCHIVE:
        label = case.tr(language).t(f"archive.reason.{reason}") if reason else "-"
        values.update(reason=label, note=note or "-")
        if original is not None:
            values["original"] = original.tracking_no
    elif action == CaseAction.TRANSFER:
        assert to_unit is not None
        values.update(unit=to_unit.name, reason=note or "-")

    async def confirm() -> None:
        tr = case.tr(language)
        markup = confirm_markup(case, tr, report)
        await notify_reporter(
            case, report, "notify.done", markup=markup, unit=sender, text=note, due=values["due"]
        )

    async def move() -> None:
        assert to_unit is not None
        await move_cards(case, report, old_unit, to_unit)

    if action != CaseAction.TRANSFER:
        await send_photos_to_reporter(case, report, photos)
    special = {Audience.REPORTER_CONFIRM: confirm, Audience.MOVE_CARDS: move}
    await deliver(case, report, outcome, values, special=special)
    return ""


def sender_name(officer: Officer) -> str:
    """How the reporter sees who answered: the unit, with the officer's name if it says so."""
    if officer.unit.show_officer_name and officer.name:
        return f"{officer.unit.name} ({officer.name})"
    return officer.unit.name


async def answer_reporter(
    case: Case, report: Report, officer: Officer, text: str, photos: Sequence[Photo]
) -> str:
    """An officer's reply, relayed to the reporter as the unit's answer."""
    citizen = await case.uow.citizens.by_id(report.citizen_id)
    if citizen is None:
        return "not_allowed"
    outcome = case.change(report, CaseAction.ANSWER, officer.actor, note=text)
    if isinstance(outcome, Refusal):
        return outcome.reason
    await send_photos_to_reporter(case, report, photos)
    due = due_text(report, citizen.language)
    words = {"unit": sender_name(officer), "text": text or "-", "due": due}
    await deliver(case, report, outcome, words)
    return ""
