"""Flood control, counted per person: more than ``throttle_max_updates`` updates from one person in
one chat within ``throttle_window`` are held back, with one polite warning.

In a private chat the person is the chat, and the counters live in the conversation's columns.
In a group each member has a window of their own, kept in the group conversation's draft
(``flood``, by user id; windows that ended are forgotten), so a member who floods the group
slows down nobody but themselves.

In a unit's group the officers' work on reports is never held back, however fast it comes: a
reply (an answer to a citizen, a prompt's answer), an action command with its arguments
(``/tindaklanjut NOMOR teks``, ``/verifikasi NOMOR``) and a button press are counted but always
handled. What is held back there is the rest (``/antrian``, ``/terlambat``, ``/laporan``, an
action command without arguments): the first one past the limit is answered with a warning that
names the sender, later ones are ignored until the sender's window ends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core import commands
from handlers import draft as drafts
from handlers.events import ButtonPress, Message
from handlers.turn import Turn


@dataclass(frozen=True)
class Window:
    """One person's count of updates since ``start``; ``warned``: told to slow down already."""

    start: datetime
    count: int = 0
    warned: bool = False

    def running(self, now: datetime, span: timedelta) -> bool:
        # A clock stepped back (NTP, a manual fix) ends the window too: otherwise the person
        # would stay silenced until the clock caught up with the old window.
        return self.start <= now < self.start + span


def counted(window: Window | None, now: datetime, span: timedelta) -> Window:
    """``window`` with one more update at ``now``; a fresh window if it has ended."""
    if window is None or not window.running(now, span):
        return Window(start=now, count=1)
    return replace(window, count=window.count + 1)


def count_person(
    windows: dict[str, dict[str, object]], person: str, now: datetime, span: timedelta
) -> tuple[dict[str, dict[str, object]], Window]:
    """Count one update of ``person`` in the stored windows of a group.

    Returns the windows to store (the ended ones of other people dropped) and the person's."""
    kept: dict[str, dict[str, object]] = {}
    for key, stored in windows.items():
        window = _parse(stored)
        if window is not None and window.running(now, span):
            kept[key] = stored
    window = counted(_parse(kept.get(person)), now, span)
    kept[person] = _dump(window)
    return kept, window


def _parse(stored: object) -> Window | None:
    if not isinstance(stored, dict):
        return None
    start, count = stored.get("start"), stored.get("count")
    if not isinstance(start, str) or not isinstance(count, int) or isinstance(count, bool):
        return None
    try:
        return Window(datetime.fromisoformat(start), count, stored.get("warned") is True)
    except ValueError:
        return None


def _dump(window: Window) -> dict[str, object]:
    return {"start": window.start.isoformat(), "count": window.count, "warned": window.warned}


# --- the conversations' side --------------------------------------------------------------------


def held_back_in_private(turn: Turn) -> bool:
    """Count a private chat's update; past the limit it is dropped with one polite warning."""
    conv = turn.conversation
    config = turn.deps.config
    start = conv.throttle_window_start
    before = None if start is None else Window(start, conv.throttle_count, conv.throttle_warned)
    window = counted(before, turn.now, config.throttle_window)
    conv.throttle_window_start, conv.throttle_count = window.start, window.count
    conv.throttle_warned = window.warned
    if window.count <= config.throttle_max_updates:
        return False
    if isinstance(turn.event, ButtonPress):
        turn.answer(turn.t("throttle.slow_down"))
    elif not window.warned:
        turn.send(turn.t("throttle.slow_down"))
    conv.throttle_warned = True
    return True


async def held_back_in_group(turn: Turn) -> bool:
    """Count a group update addressed to the bot by its sender; whether it is held back."""
    config = turn.deps.config
    person = turn.event.sender.user_id
    stored = drafts.load(turn.conversation).flood
    windows, window = count_person(stored, person, turn.now, config.throttle_window)
    over = window.count > config.throttle_max_updates
    if over and _officers_work(turn.event) and await _in_unit_group(turn):
        over = False
    if over:
        if isinstance(turn.event, ButtonPress):
            turn.answer(_warning(turn))
        elif not window.warned:
            turn.send(_warning(turn))
        windows[person] = _dump(replace(window, warned=True))
    drafts.update(turn.conversation, flood=windows)
    return over


def _officers_work(event: Message | ButtonPress) -> bool:
    """Whether a group update acts on a report or carries words for a citizen."""
    if isinstance(event, ButtonPress) or event.reply_to_message_id is not None:
        return True
    return event.command in commands.ACTIONS and bool(event.command_args.strip())


async def _in_unit_group(turn: Turn) -> bool:
    chat = await turn.uow.units.chat(turn.channel, turn.chat_id)
    return chat is not None and chat.active


def _warning(turn: Turn) -> str:
    """The warning, naming whom it is for (the others in the group go on as before)."""
    name = turn.event.sender.display_name
    return turn.t("throttle.group_slow_down", name=name) if name else turn.t("throttle.slow_down")
