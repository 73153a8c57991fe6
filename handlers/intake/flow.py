"""The new-report conversation's order of steps, its draft, and Cancel.

The draft and the current step live in the ``conversations`` row (:mod:`handlers.draft`), so a
citizen can leave and come back, and a restarted bot carries on where it was. The other modules of
this package read and change the draft only through the helpers here.
"""

from __future__ import annotations

from typing import Any

from core.categories import Category, category_by_code, photo_asked, photo_required
from handlers import draft as drafts
from handlers.actions import InlineKeyboard
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
    """Whether the draft may not be filed without a photo (the category's rule, as the
    deployment's setting reads it)."""
    return photo_required(category(turn), enforced=turn.deps.config.category_photos_required)


def photos_asked(turn: Turn) -> bool:
    """Whether the photo step asks for a photo, with "Saya tidak punya foto" instead of Skip."""
    return photo_asked(category(turn))


def area_root(turn: Turn) -> str:
    """The kabupaten a typed place name is looked for in: the deployment's own, or the one
    chosen at the kabupaten step of a province deployment."""
    if turn.deps.regions.is_province:
        return draft(turn).kabupaten
    return turn.deps.regions.root.code


def region_parent(turn: Turn, step: IntakeStep) -> str:
    current = draft(turn)
    if step == IntakeStep.DESA:
        return current.kecamatan
    if step == IntakeStep.KECAMATAN and turn.deps.regions.is_province:
        return current.kabupaten
    return turn.deps.regions.root.code


def _answered_beyond_first(current: Draft) -> bool:
    """Whether the draft holds more than the first step's answer (the type)."""
    return bool(
        current.category
        or current.kabupaten
        or current.kecamatan
        or current.desa
        or current.address
        or current.lat is not None
        or current.description
        or current.photos
        or current.privacy
    )


def cancel(turn: Turn) -> None:
    """Cancel (✖️ Batal, /batal): a draft with more than its first step done is only dropped
    once the citizen says so; one at its first step, at once."""
    current = draft(turn)
    if not current.in_intake or not _answered_beyond_first(current):
        discard(turn)
        return
    conv = turn.conversation
    conv.step_seq += 1  # the step's own buttons wait behind the question
    turn.answer()
    keyboard = InlineKeyboard(
        rows=(
            (
                turn.button(turn.t("intake.cancel_yes"), "cancel_yes"),
                turn.button(turn.t("intake.cancel_no"), "cancel_no"),
            ),
        )
    )
    turn.show(turn.t("intake.confirm_cancel"), keyboard)


def discard(turn: Turn) -> None:
    """Drop the draft and go back to the main menu."""
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
