"""The kinds of a report's timeline events, and which words name each one.

Every event the bot records is a member of :class:`EventKind`. The values are what
``report_events.kind`` holds, so they never change; an officer's action is stored under its
button code (``vf``, ``tl``...), which is why those members have readable names.

:func:`event_words` turns a stored event (kind and note) into a message key, its values and the
part of the note people may read: the reminder engine's details (which reminder, the escalation
level, a count of days) and a failed delivery's reason are codes, folded into the words, never
shown. The citizen's status and the console's timeline both read events through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from core.whatsapp_delivery import WA_REASONS


class EventKind(StrEnum):
    """A timeline event's kind (stored; keep the values)."""

    SUBMITTED = "submitted"  # the reporter filed it (chat or Open311)
    ROUTED = "routed"  # sent to the unit of its place or category (note: the unit's name)
    ROUTED_FALLBACK = "routed_fallback"  # that unit has no group: sent to the one above it
    VERIFIED = "vf"  # ✅ Verifikasi
    ASKED = "ask"  # ❓ Minta info (note: the question)
    FOLLOWED_UP = "tl"  # 🛠 Tindak lanjut (note: what the unit does)
    DONE = "done"  # ✔️ Selesai (note: the answer)
    TRANSFERRED = "tr"  # ↪️ Alihkan (note: why)
    ARCHIVED = "ar"  # 🗄 Arsipkan
    ANSWERED = "ans"  # an officer's reply to the reporter
    REPORTER_INFO = "reporter_info"  # the reporter added something
    REPORTER_ANSWER = "reporter_answer"  # the reporter answered a question
    REOPENED = "reopen"  # the reporter says it is not done
    CONFIRMED = "confirmed"  # the reporter says it is done
    RATED = "rated"  # the reporter's stars (note: 1-5)
    RATING_COMMENT = "rating_comment"  # the reporter's words with the stars
    REMINDER = "reminder"  # the unit was reminded (note: before or day)
    ESCALATED = "escalated"  # late: the unit above was told (note: the level)
    AUTO_CLOSED = "auto_closed"  # done and the reporter stayed silent (note: days)
    OMBUDSMAN = "ombudsman"  # the reporter was told of Ombudsman RI (note: days)
    SUPPORTED = "supported"  # a citizen supports it (laporan serupa)
    SUPPORTER_NOTE = "supporter_note"  # a supporter's words, for the unit only
    UNDELIVERABLE = "undeliverable"  # a message to the reporter failed (note: the reason)
    INTERNAL_NOTE = "internal_note"  # 📝 an officer's note for the unit and the coordinator only
    ASSIGNED = "assigned"  # 👤 one officer has it now (note: their name; for the unit only)
    RELEASED = "released"  # nobody has it any more (note: who had it; for the unit only)
    RECATEGORIZED = "kat"  # 🏷 the category was changed (note: "old → new" codes, see below)
    REFERRED = "rf"  # ↗ Bukan kewenangan (note: the outside body's name)
    UNREFERRED = "urf"  # the coordinator undid a referral
    RETAINED = "retensi"  # the retention period ended: evidence files removed (note: how many)
    CLAIMED = "claimed"  # the citizen claimed a counter filing (note: how it came: loket/telepon)
    WA_HELD_DROPPED = "wa_hapus"  # retention: held WhatsApp notices dropped (note: how many)


_K = EventKind

#: Kinds whose note is a code that picks the words: the known codes of each.
_DETAILS: Final[Mapping[EventKind, frozenset[str]]] = {
    _K.REMINDER: frozenset({"before", "day"}),
    _K.UNDELIVERABLE: frozenset({"blocked", "gone", "other"}) | WA_REASONS,
    _K.CLAIMED: frozenset({"loket", "telepon"}),  # core.counter.VIAS
}
#: Kinds whose note is a number folded into the words (its placeholder).
_NUMBERS: Final[Mapping[EventKind, str]] = {
    _K.ESCALATED: "level",
    _K.RATED: "rating",
    _K.RETAINED: "count",
    _K.WA_HELD_DROPPED: "count",
}
#: Kinds whose note is the engine's count of days: not for people (the rules say it).
_HIDDEN: Final = frozenset({_K.AUTO_CLOSED, _K.OMBUDSMAN})
#: Kinds only the holding unit's groups, the coordinator and the console see: never the
#: reporter, a supporter, Open311, the SP4N-LAPOR! sheet or an export but the coordinator's full
#: one (whose "Catatan internal" column lists them).
INTERNAL: Final = frozenset({_K.INTERNAL_NOTE})
#: Kinds about the unit's own work: on the unit's and the coordinator's timeline, never the
#: citizen's.
UNIT_ONLY: Final = frozenset({_K.ASSIGNED, _K.RELEASED})
#: Kinds a citizen (reporter or supporter) never reads on the report's timeline.
NOT_FOR_CITIZENS: Final = INTERNAL | UNIT_ONLY
#: Kinds whose note people wrote and a console viewer may find by searching (the console's
#: "Cari"): the unit's questions, answers and follow-ups, and what the reporter added. One line
#: per kind; every note is indexed, the kinds are chosen when searching.
SEARCHABLE_KINDS: Final = frozenset(
    {
        _K.ASKED,
        _K.FOLLOWED_UP,
        _K.DONE,
        _K.ANSWERED,
        _K.REPORTER_INFO,
        _K.REPORTER_ANSWER,
    }
)
#: The words for a kind this version does not know (a newer version's event).
UNKNOWN_KEY: Final = "event.other"


@dataclass(frozen=True)
class EventWords:
    """How one event reads: ``key`` with ``values`` names it; ``note`` is what people wrote
    (empty when the stored note was a code)."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)
    note: str = ""


def is_internal(kind: str) -> bool:
    """Whether an event of ``kind`` stays inside (:data:`INTERNAL`)."""
    return kind in INTERNAL


def event_words(kind: str, note: str) -> EventWords:
    """The words of a stored event (see the module docstring)."""
    try:
        member = EventKind(kind)
    except ValueError:
        return EventWords(UNKNOWN_KEY)
    key = f"event.{member.value}"
    if member in _DETAILS:
        return EventWords(f"{key}.{note}" if note in _DETAILS[member] else key)
    if member in _NUMBERS:
        if note.isdigit():
            return EventWords(f"{key}.counted", {_NUMBERS[member]: int(note)})
        return EventWords(key)
    if member in _HIDDEN:
        return EventWords(key)
    return EventWords(key, note=note)
