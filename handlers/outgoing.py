"""The one way handlers queue a message: an outbox row in the caller's unit of work.

Every message goes out through the outbox (runtime/outbox.py) after the unit of work commits; a row
about a report with a :class:`~core.purposes.Purpose` becomes a reply path once sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.counter import is_counter_channel
from core.open311 import OPEN311_CHANNEL
from core.purposes import Purpose
from handlers.actions import Action, action_to_dict
from storage.uow import UnitOfWork


def has_chat(channel: str) -> bool:
    """Whether a person on ``channel`` can be written to."""
    if channel == OPEN311_CHANNEL:
        # A report filed through the Open311 API has no chat to write to: its requester
        # follows it by id (GET requests/{id}); the unit's work is in the timeline.
        return False
    # Filed at the counter or by phone and not claimed yet: the citizen has no chat with
    # the bot; they follow the report at the office until they claim it (core.counter).
    return not is_counter_channel(channel)


def emit(
    uow: UnitOfWork,
    channel: str,
    chat_id: str,
    action: Action,
    now: datetime,
    *,
    report_id: int | None = None,
    purpose: Purpose = Purpose.NONE,
    link_action: str = "",
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Queue ``action`` for ``chat_id``; with a report and a purpose it becomes a reply path.
    ``extra`` keys ride along in the payload (the texts a gathered relay carries)."""
    if not has_chat(channel):
        return
    uow.outbox.add(
        channel=channel,
        chat_id=chat_id,
        payload={**action_to_dict(action), **(extra or {})},
        now=now,
        report_id=report_id,
        purpose=purpose.value,
        link_action=link_action,
    )
