"""The new-report conversation's order of steps, its draft, and Cancel.

The draft and the current step live in the ``conversations`` row (:mod:`handlers.draft`), so a
citizen can leave and come back, and a restarted bot carries on where it was. The other modules of
this package read and change the draft only through the helpers here.
"""

from __future__ import annotations

from typing import Any

from core.categories import Category, category_by_code
from handlers import draft as drafts
from handlers.draft import Draft, IntakeStep
from handlers.events import ButtonPress
from handlers.menu import main_menu
from handlers.steps import ChatStep
from handlers.turn import Turn

STEPS = (
    IntakeStep.TYPE,
    IntakeStep.CATEGORY,
    IntakeStep.KABUPATEN,
    IntakeStep.KECAMATAN,
    IntakeStep.DESA,
    IntakeStep.ADDRESS,
    IntakeStep.GPS,
    IntakeStep.DESCRIPTION,
    IntakeStep.PHOTOS,
    IntakeStep.PRIVACY,
    IntakeStep.SUMMARY,
)
EDITABLE = (
    IntakeStep.TYPE,
    IntakeStep.CATEGORY,
    IntakeStep.KECAMATAN,
    IntakeStep.ADDRESS,
    IntakeStep.GPS,
    IntakeStep.DESCRIPTION,
    IntakeStep.PHOTOS,
    IntakeStep.PRIVACY,
)
REGION_STEPS = {IntakeStep.KABUPATEN: 2, IntakeStep.KECAMATAN: 3, IntakeStep.DESA: 4}


def draft(turn: Turn) -> Draft:
    return drafts.load(turn.conversation)


def update_draft(turn: Turn, **changes: Any) -> Draft:
    return drafts.update(turn.conversation, **changes)


def has_draft(turn: Turn) -> bool:
    return draft(turn).in_intake


def category(turn: Turn) -> Category | None:
    return category_by_code(turn.deps.categories, draft(turn).category)


def steps_in_use(turn: Turn) -> tuple[IntakeStep, ...]:
    if turn.deps.regions.is_province:
        return STEPS
    return tuple(s for s in STEPS if s != IntakeStep.KABUPATEN)


def photos_required(turn: Turn) -> bool:
    chosen = category(turn)
    return bool(chosen and chosen.photo_required)


def region_parent(turn: Turn, step: IntakeStep) -> str:
    current = draft(turn)
    if step == IntakeStep.DESA:
        return current.kecamatan
    if step == IntakeStep.KECAMATAN and turn.deps.regions.is_province:
        return current.kabupaten
    return turn.deps.regions.root.code


def cancel(turn: Turn) -> None:
    conv = turn.conversation
    had_draft = has_draft(turn)
    drafts.save(conv, Draft())
    conv.draft_started_at = None
    conv.step = ChatStep.IDLE
    conv.step_seq += 1
    turn.answer()
    if had_draft:
        if isinstance(turn.event, ButtonPress):
            turn.show(turn.t("intake.cancelled"), None)
            turn.send(turn.t("menu.prompt"), main_menu(turn.tr))
        else:
            turn.send(turn.t("intake.cancelled"), main_menu(turn.tr))
    else:
        turn.send(turn.t("intake.nothing_to_cancel"), main_menu(turn.tr))
