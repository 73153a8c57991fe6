"""Internal notes in a unit's group (``core.internal_notes``): the words of the card's
"📝 Catatan internal" prompt, or a reply to the card beginning with the marker, recorded through
the officers' use case (``cases.officer.act`` with ``CaseAction.INTERNAL_NOTE``). The note stays
inside: the reporter hears nothing and photos sent with it are not relayed. An empty note is
asked for again; a note longer than ``INTERNAL_NOTE_MAX`` is refused with the limit (never cut).
A note written in the coordinator's group is also told to the groups of the unit holding the
report (under its card); the console's notes get their own line (``handlers.console_requests``).
"""

from __future__ import annotations

from cases.officer import OfficerStep
from core.inputs import says_nothing
from core.internal_notes import INTERNAL_NOTE_MAX, MARKER
from core.permissions import CaseAction
from core.roles import GroupAction
from handlers.group_acting import admin_if_needed, case_of, officer_of, perform
from handlers.notices import to_holder_groups
from handlers.turn import Turn
from storage.models import Report, Unit


def problem(turn: Turn, text: str) -> str:
    """What is wrong with a note's words ('' when they can be recorded)."""
    if says_nothing(text):
        return turn.t("note.empty", marker=MARKER)
    if len(text) > INTERNAL_NOTE_MAX:
        return turn.t("note.too_long", length=len(text), limit=INTERNAL_NOTE_MAX)
    return ""


async def record(turn: Turn, report: Report, unit: Unit, text: str) -> None:
    """Record ``text`` as an internal note on ``report`` by the sender, as an officer of
    ``unit``; the group is told it was saved (or why not)."""
    wrong = problem(turn, text)
    if wrong:
        turn.send(wrong)
        return
    admin = await admin_if_needed(turn, GroupAction.INTERNAL_NOTE)
    officer = await officer_of(turn, unit, admin)
    done = await perform(turn, report, OfficerStep(CaseAction.INTERNAL_NOTE, note=text), officer)
    if done and unit.id != report.unit_id:
        # Written in the coordinator's group: the unit holding the report reads it too.
        name = officer.name or unit.name
        await to_holder_groups(case_of(turn), report, "group.note_from", officer=name, text=text)
