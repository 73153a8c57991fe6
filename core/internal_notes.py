"""Internal notes (catatan internal): an officer's words on a report for the unit and the
coordinator only, never for the reporter, a supporter, Open311 or SP4N-LAPOR!.

An officer writes one with the card's "📝 Catatan internal" button (its prompt takes the words)
or by replying to the card with a text that begins with :data:`MARKER`. The words are an event of
kind ``core.timeline.EventKind.INTERNAL_NOTE``, recorded by the lifecycle's
``CaseAction.INTERNAL_NOTE``; ``core.timeline.INTERNAL`` names the kinds that stay inside.
"""

from __future__ import annotations

import re
from typing import Final

from core.limits import OFFICER_NOTE_MAX

#: What a reply to a card begins with to be a note instead of an answer to the reporter: a word
#: typed on a phone's keyboard without switching to symbols twice, and one Telegram shows as a
#: hashtag (tappable, so colleagues find a report's notes).
MARKER: Final = "#catatan"
#: Longest note, in characters (as an officer's other words: one message with its notice).
INTERNAL_NOTE_MAX: Final = OFFICER_NOTE_MAX

_MARKED = re.compile(rf"^\s*{re.escape(MARKER)}(?![\w])[\s:.\-–—]*", re.IGNORECASE)


def marked(text: str) -> str | None:
    """The note of a reply that begins with :data:`MARKER` (case aside, then spaces, a colon or a
    dash), stripped ('' when nothing follows); None when the reply is not marked."""
    found = _MARKED.match(text)
    if found is None:
        return None
    return text[found.end() :].strip()
