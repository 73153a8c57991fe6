"""Who a timeline entry names, in words.

An event stores its actor as a label (:class:`core.decisions.Actor`): the reporter, the
reminder engine, a supporting citizen, or ``petugas:<id>:<name>`` for an officer.
:func:`actor_words` turns a stored label into a message key, or the officer's own name when one
was kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from core.decisions import REPORTER_LABEL, SUPPORTER_LABEL, SYSTEM_LABEL

#: The message key of each fixed label; an officer without a kept name reads as OFFICER_KEY.
ACTOR_KEYS: Final = {
    REPORTER_LABEL: "actor.reporter",
    SYSTEM_LABEL: "actor.system",
    SUPPORTER_LABEL: "actor.supporter",
}
OFFICER_KEY: Final = "actor.officer"
OFFICER_PREFIX: Final = "petugas:"


@dataclass(frozen=True)
class ActorWords:
    """How an actor reads: ``key`` names it in the catalogue; else ``name`` is shown as it is."""

    key: str = ""
    name: str = ""


def actor_words(label: str) -> ActorWords:
    """The words of a stored actor label (a label this version does not know is shown as is)."""
    if label in ACTOR_KEYS:
        return ActorWords(key=ACTOR_KEYS[label])
    if label.startswith(OFFICER_PREFIX):
        name = label.split(":", 2)[2] if label.count(":") >= 2 else ""
        return ActorWords(name=name) if name else ActorWords(key=OFFICER_KEY)
    return ActorWords(name=label)
