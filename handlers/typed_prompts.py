"""An officer who types instead of replying to a prompt is still heard.

Telegram's app opens the reply for the officer who pressed ❓ Minta info / 🏁 Selesai / ✏️ ...
(``force_reply``), but not every client honours it (Telegram Web sometimes, the training sandbox's
page, an officer who closes the reply). So the officer's next message in the group, within
``HandlerConfig.typed_prompt_window`` of the prompt, is the prompt's answer. Another officer's
chatter in between is not taken. A prompt left unanswered longer expires: the officer's next
message is then not taken, and the officer is told so once.

The prompts wait in the group's conversation (its draft, unused in groups otherwise), one per
officer: a second press by the same officer replaces the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers import draft as drafts
from handlers.turn import Turn

#: An expired prompt is mentioned only if the officer speaks within this time; later, forgotten.
FORGET_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class TypedPrompt:
    report_id: int
    link_action: str
    expired: bool


def _prompts(turn: Turn) -> dict[str, dict[str, object]]:
    return dict(drafts.load(turn.conversation).prompts)


def _store(turn: Turn, prompts: dict[str, dict[str, object]]) -> None:
    drafts.update(turn.conversation, prompts=prompts)


def remember(turn: Turn, user_id: str, report_id: int, link_action: str) -> None:
    prompts = _prompts(turn)
    prompts[user_id] = {"report": report_id, "action": link_action, "at": turn.now.isoformat()}
    _store(turn, prompts)


def forget(turn: Turn, user_id: str) -> None:
    prompts = _prompts(turn)
    if prompts.pop(user_id, None) is not None:
        _store(turn, prompts)


def take(turn: Turn, user_id: str) -> TypedPrompt | None:
    """The officer's waiting prompt, removed (it is answered, or its expiry is told now)."""
    prompts = _prompts(turn)
    entry = prompts.pop(user_id, None)
    if entry is None:
        return None
    _store(turn, prompts)
    try:
        age = turn.now - datetime.fromisoformat(str(entry["at"]))
        report_id = int(str(entry["report"]))
    except (KeyError, ValueError):
        return None
    if age > FORGET_AFTER:
        return None
    expired = age > turn.deps.config.typed_prompt_window
    return TypedPrompt(report_id=report_id, link_action=str(entry["action"]), expired=expired)
