"""Where a private chat's conversation stands (``conversations.step``), typed.

Stored as today's strings: a plain step (``"idle"``, ``"intake"``) or a step about one report
(``"followup:123"``, ``"comment:123"``). :meth:`Step.parse` and :meth:`Step.format` are the only
places that read or write that form.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ChatStep(StrEnum):
    IDLE = "idle"  # nothing pending: the main menu
    CONSENT = "consent"  # the privacy notice is shown, waiting for "Saya setuju"
    DRAFT_CHOICE = "draft_choice"  # a draft exists: resume or discard?
    INTAKE = "intake"  # filling in a new report (the draft says which screen)
    STATUS_INPUT = "status_input"  # waiting for a tracking number to look up
    FOLLOWUP = "followup"  # the next message goes to the unit of one report
    COMMENT = "comment"  # the next message is the comment on one report's rating
    COUNTER = "counter"  # an officer gives a citizen's name, phone and how it came (/loket)
    DATA_NAME = "data_name"  # /dataku: waiting for the corrected name
    DATA_PHONE = "data_phone"  # /dataku: waiting for the corrected phone number


#: Steps that belong to one report.
ABOUT_A_REPORT = frozenset({ChatStep.FOLLOWUP, ChatStep.COMMENT})


@dataclass(frozen=True)
class Step:
    kind: ChatStep
    report_id: int | None = None

    @classmethod
    def parse(cls, stored: str | None) -> Step:
        """The stored form read back; anything unknown is treated as idle."""
        name, _, arg = (stored or "").partition(":")
        try:
            kind = ChatStep(name)
        except ValueError:
            return cls(ChatStep.IDLE)
        if kind in ABOUT_A_REPORT:
            return cls(kind, int(arg)) if arg.isdigit() else cls(ChatStep.IDLE)
        return cls(kind)

    def format(self) -> str:
        if self.kind in ABOUT_A_REPORT and self.report_id is not None:
            return f"{self.kind.value}:{self.report_id}"
        return self.kind.value


def about(kind: ChatStep, report_id: int) -> str:
    """The stored form of a step about one report (``followup:123``)."""
    return Step(kind, report_id).format()
