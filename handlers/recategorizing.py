"""🏷 Ubah kategori: the card's button opens a picker of the categories; a pressed category
changes a misfiled report's category (``cases.officer.act``, action ``kat``), as the console's
form does (``handlers.console_requests``). The holder and the deadlines stay: when the new
category belongs to another unit, ↪️ Alihkan moves it (docs/decisions.md).
"""

from __future__ import annotations

from cases.officer import Officer, OfficerStep
from core.categories import CODE_MAX
from core.permissions import CaseAction
from handlers.actions import InlineKeyboard
from handlers.cards import picker_rows, unit_button
from handlers.deps import HandlerDeps
from handlers.formatting import category_name
from handlers.group_acting import perform
from handlers.turn import Turn
from locales import Translator
from storage.models import Report


def category_keyboard(tr: Translator, deps: HandlerDeps, report: Report) -> InlineKeyboard:
    """Every category but the report's own, two a row, and the cancel button."""
    buttons = [
        unit_button(
            deps,
            (category.name_en if tr.language == "en" else category.name_id)[:40],
            report.id,
            CaseAction.RECATEGORIZE,
            category.code,
        )
        for category in deps.categories
        if category.code != report.category
    ]
    return picker_rows(tr, deps, report.id, buttons)


def picker_text(turn: Turn, report: Report) -> str:
    """The picker's words: which category the report has now."""
    now = category_name(turn.deps.categories, report.category, turn.tr.language)
    return turn.t("picker.category", category=now)


async def take(turn: Turn, report: Report, officer: Officer, code: str) -> str:
    """A category was pressed: change it (the use case refuses a forged or unchanged code);
    the picker's closing words when it was done, '' when refused (said already)."""
    step = OfficerStep(CaseAction.RECATEGORIZE, category=code[:CODE_MAX])
    if not await perform(turn, report, step, officer):
        return ""
    name = category_name(turn.deps.categories, report.category, turn.tr.language)
    return turn.t("picker.recategorized", category=name)
