"""An opening sentence starts a report (issue 26, item 4).

"Halo, saya mau lapor jalan rusak" typed outside any step (the rule is ``core.openings``) starts
a report, after consent where needed, and its words are offered at the description step
("✅ Gunakan teks ini", or type anew). Only a chat that waits for nothing reads it so (idle, or
showing the privacy notice). A citizen with open reports is asked first which report the words
are for, or to start a new one with them (handlers/followup.py); a tracking number typed so is
answered by handlers/citizen.py.

Before consent the words wait in the chat's draft (``description``, with no step) until the
privacy notice is answered: agreeing carries them into the new report, declining erases them.
"""

from __future__ import annotations

from core.inputs import visible
from core.limits import DESCRIPTION_MAX, DESCRIPTION_MIN
from core.openings import opens_a_report
from handlers import draft as drafts
from handlers import intake
from handlers.consent import ask_consent, current_citizen
from handlers.events import Message
from handlers.intake.flow import has_draft
from handlers.steps import ChatStep
from handlers.turn import Turn

#: The steps in which a typed text is free text.
FREE_STEPS = frozenset({ChatStep.IDLE, ChatStep.CONSENT})


async def on_opening(turn: Turn, message: Message) -> bool:
    """Start a report with an opening sentence; False for any other message."""
    conv = turn.conversation
    text = message.text.strip()
    if (
        not text
        or message.photos
        or message.location is not None
        or conv.step not in FREE_STEPS
        or drafts.load(conv).in_intake
    ):
        return False
    if not opens_a_report(text):
        return False
    citizen = await current_citizen(turn)
    if citizen is None:
        drafts.update(conv, description=usable_words(text))
        ask_consent(turn, then="new")
        return True
    begin_with_words(turn, text)
    return True


def usable_words(text: str) -> str:
    """The words as a description, or '' when too short to be one (the step then asks)."""
    kept = text.strip()[:DESCRIPTION_MAX]
    return kept if len(visible(kept)) >= DESCRIPTION_MIN else ""


def take_waiting_words(turn: Turn) -> str:
    """The words kept before consent, removed from the chat's draft."""
    current = drafts.load(turn.conversation)
    if current.in_intake or not current.description:
        return ""
    drafts.update(turn.conversation, description="")
    return current.description


def begin_with_words(turn: Turn, text: str, note: str = "") -> None:
    """A new report whose description step offers ``text``; a draft already begun is offered
    to resume instead, and keeps its own words."""
    fresh = not has_draft(turn)
    intake.begin(turn, note=note)
    words = usable_words(text)
    if fresh and words:
        drafts.update(turn.conversation, description=words)
