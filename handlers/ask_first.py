"""Asking the messenger before a step, never during it.

A step runs in one transaction (the inbox's unit of work). Some steps need facts only Telegram
has: the bytes of the photos they judge (``handlers.evidence``), or whether the sender
administers the group (``getChatMember``). Waiting on the network inside the transaction would
hold its connection, its row locks and, on SQLite, the one writer's turn. So a step that needs a
fact it was not given raises :class:`AskFirst` before it uses it; :func:`asking_first` lets the
transaction end (rolled back: nothing of the try is kept), asks with none open, and runs the step
again with every answer so far (:func:`answer`). An answer holds for the whole step, its tries
included: the same question is asked of Telegram once per step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from contextvars import ContextVar

from handlers.deps import ChatAdmins, HandlerDeps
from handlers.turn import Turn

#: How many times one step may ask before it runs (once, as a rule; files and an admin: twice).
ASK_ROUNDS = 3


class AskFirst(Exception):  # noqa: N818 (a request to the caller, not a failure)
    """The step needs answers from the messenger: let its transaction end, and run it again
    through :func:`asking_first`, which asks in between. ``ask`` fetches the answers, by
    question; network trouble raises (the update is retried)."""

    def __init__(self, reason: str, ask: Callable[[], Awaitable[dict[Hashable, object]]]) -> None:
        super().__init__(reason)
        self.answers = ask


#: The answers given to the step now running, by question (set by :func:`asking_first`; a
#: context variable, so each chat's task sees its own).
_answers: ContextVar[Mapping[Hashable, object] | None] = ContextVar("answers", default=None)


def answers() -> Mapping[Hashable, object]:
    """Every answer the running step has been given."""
    return _answers.get() or {}


async def asking_first(step: Callable[[], Awaitable[None]]) -> None:
    """Run ``step`` (one transaction) with the answers so far. When it asks for more, its
    transaction has ended (:class:`AskFirst` went through it); ask, with none open, and run it
    again."""
    given: dict[Hashable, object] = {}
    for _ in range(ASK_ROUNDS):
        token = _answers.set(given)
        try:
            await step()
            return
        except AskFirst as needed:
            given = {**given, **await needed.answers()}
        finally:
            _answers.reset(token)
    raise RuntimeError(f"the step still asked after {ASK_ROUNDS} rounds of questions")


class AdminFirst(AskFirst):
    """Whether a user administers a group (``getChatMember``)."""

    def __init__(self, admins: ChatAdmins, channel: str, chat_id: str, user_id: str) -> None:
        self.admins = admins
        self.question = admin_question(channel, chat_id, user_id)
        super().__init__("whether the sender administers the group, before the step", self._ask)

    async def _ask(self) -> dict[Hashable, object]:
        _, channel, chat_id, user_id = self.question
        return {self.question: await self.admins.is_admin(channel, chat_id, user_id)}


def admin_question(channel: str, chat_id: str, user_id: str) -> tuple[str, str, str, str]:
    return ("admin", channel, chat_id, user_id)


def sender_is_admin(turn: Turn) -> bool:
    """Whether the sender is one of the group's Telegram admins: the answer given to the step,
    or :class:`AdminFirst` to have it asked (False without a way to ask)."""
    admins = turn.deps.admins
    if admins is None:
        return False
    question = admin_question(turn.channel, turn.chat_id, turn.event.sender.user_id)
    given = answers()
    if question in given:
        return bool(given[question])
    raise AdminFirst(admins, turn.channel, turn.chat_id, turn.event.sender.user_id)


class MemberFirst(AskFirst):
    """Whether a user is in a group now (``getChatMember``), before assigning them a report."""

    def __init__(self, admins: ChatAdmins, channel: str, chat_id: str, user_id: str) -> None:
        self.admins = admins
        self.question = ("member", channel, chat_id, user_id)
        super().__init__("whether the person is in the group, before the step", self._ask)

    async def _ask(self) -> dict[Hashable, object]:
        _, channel, chat_id, user_id = self.question
        return {self.question: await self.admins.is_member(channel, chat_id, user_id)}


def is_in_group(deps: HandlerDeps, channel: str, chat_id: str, user_id: str) -> bool:
    """Whether ``user_id`` is in the group ``chat_id`` now: the answer given to the step, or
    :class:`MemberFirst` to have it asked (True without a way to ask)."""
    admins = deps.admins
    if admins is None:
        return True
    question = ("member", channel, chat_id, user_id)
    given = answers()
    if question in given:
        return bool(given[question])
    raise MemberFirst(admins, channel, chat_id, user_id)
