"""Prompts in a unit's group remember who opened them, so that only that person, or an officer
or admin of the unit (``GroupAction.ANSWER_OTHERS_PROMPT``, checked in
``handlers.group_replies``), answers them.
"""

from __future__ import annotations

#: Prompts remember who opened them: ``<action>@<user id>`` in the link's action.
OPENER = "@"


def with_opener(link_action: str, user_id: str) -> str:
    """A prompt's link action that remembers who opened it."""
    return f"{link_action}{OPENER}{user_id}"


def split_opener(link_action: str) -> tuple[str, str]:
    """``(action, opener's user id)``; the opener is '' for prompts written before this rule."""
    action, _, opener = link_action.partition(OPENER)
    return action, opener
