"""The new-report conversation (laporan baru), one step per screen, each with Back and Cancel.

The draft and the current step live in the ``conversations`` row, so a citizen can leave and come
back, and a restarted bot carries on where it was. This module holds the ways in (the menu, a
button, a message); the package's other modules hold the steps' table and moves (``steps``), their
screens (``screens``), photos and other media (``media``), the submit (``submit``), and the order
of steps, the draft and Cancel (``flow``).
"""

from __future__ import annotations

from handlers import draft as drafts
from handlers.actions import InlineKeyboard
from handlers.consent import ask_consent
from handlers.draft import Draft, IntakeStep
from handlers.events import MediaKind, Message
from handlers.formatting import short_datetime
from handlers.intake.flow import EDITABLE, STEPS, cancel, discard, draft, has_draft
from handlers.intake.steps import STEP_TABLE, go, step_button, step_message
from handlers.menu import main_menu
from handlers.steps import ChatStep
from handlers.turn import Turn

__all__ = [
    "EDITABLE",
    "STEPS",
    "STEP_TABLE",
    "begin",
    "cancel",
    "offer_resume",
    "on_button",
    "on_message",
]


def begin(turn: Turn, note: str = "") -> None:
    """Menu "Laporan baru": start a draft, or offer the one already started; ``note`` (consent
    just recorded) goes on step 1's screen."""
    if has_draft(turn):
        offer_resume(turn)
        return
    # A conversation opened from a poster keeps its poster's code (handlers/posters.py).
    drafts.save(turn.conversation, Draft(step=IntakeStep.TYPE, poster=draft(turn).poster))
    turn.conversation.draft_started_at = turn.now
    go(turn, IntakeStep.TYPE, note)


def offer_resume(turn: Turn) -> None:
    conv = turn.conversation
    conv.step = ChatStep.DRAFT_CHOICE
    conv.step_seq += 1
    started = conv.draft_started_at or turn.now
    keyboard = InlineKeyboard(
        rows=(
            (turn.button(turn.t("draft.resume"), "resume"),),
            (turn.button(turn.t("draft.discard"), "discard"),),
        )
    )
    text = turn.t(
        "draft.found",
        started=short_datetime(started, turn.deps.config.timezone, conv.language),
        step=turn.t(f"step.{draft(turn).step or IntakeStep.TYPE}"),
    )
    turn.show(text, keyboard)


def _is_stale(turn: Turn) -> bool:
    conv = turn.conversation
    return (
        conv.step == ChatStep.INTAKE and turn.now - conv.updated_at > turn.deps.config.draft_stale
    )


async def on_button(turn: Turn, action: str, arg: str) -> None:
    conv = turn.conversation
    step = draft(turn).step
    if action == "resume" and step is not None:
        turn.answer()
        go(turn, step)
        return
    if action == "discard":
        drafts.save(conv, Draft(step=IntakeStep.TYPE))
        conv.draft_started_at = turn.now
        turn.answer()
        go(turn, IntakeStep.TYPE)
        return
    if action == "cancel":
        cancel(turn)
        return
    if action == "cancel_yes":
        discard(turn)
        return
    if action == "cancel_no" and step is not None:
        turn.answer()
        go(turn, step)
        return
    if conv.step != ChatStep.INTAKE or step is None:
        turn.answer(turn.t("button.stale"), alert=True)
        return
    if _is_stale(turn):
        turn.answer()
        offer_resume(turn)
        return
    turn.answer()
    await step_button(turn, step, action, arg)


async def on_message(turn: Turn, message: Message) -> None:
    conv = turn.conversation
    if conv.step == ChatStep.CONSENT:
        ask_consent(turn)
        return
    if conv.step == ChatStep.DRAFT_CHOICE:
        offer_resume(turn)
        return
    step = draft(turn).step
    if conv.step != ChatStep.INTAKE or step is None:
        _idle_message(turn, message)
        return
    if _is_stale(turn):
        offer_resume(turn)
        return
    await step_message(turn, step, message)


def _idle_message(turn: Turn, message: Message) -> None:
    if message.media in (MediaKind.PHOTO, MediaKind.IMAGE_DOCUMENT):
        turn.send(turn.t("idle.photo_without_report"), main_menu(turn.tr))
    elif message.media != MediaKind.NONE or message.location is not None:
        turn.send(turn.t("input.unsupported_media"), main_menu(turn.tr))
    else:
        turn.send(turn.t("idle.use_menu"), main_menu(turn.tr))
