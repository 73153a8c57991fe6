"""Consent (persetujuan) to the privacy notice: nothing personal is kept before it."""

from __future__ import annotations

from handlers.actions import InlineKeyboard
from handlers.steps import ChatStep
from handlers.turn import SCOPE_GLOBAL, Turn
from storage.models import Citizen

CONSENT_VERSION = "2026-11"


async def current_citizen(turn: Turn) -> Citizen | None:
    return await turn.uow.citizens.get(turn.channel, turn.event.sender.user_id)


def ask_consent(turn: Turn) -> None:
    conv = turn.conversation
    conv.step = ChatStep.CONSENT
    conv.step_seq += 1
    keyboard = InlineKeyboard(
        rows=(
            (turn.button(turn.t("consent.agree"), "consent", "yes", scope=SCOPE_GLOBAL),),
            (turn.button(turn.t("consent.decline"), "consent", "no", scope=SCOPE_GLOBAL),),
            (turn.button(turn.t("language.button"), "langmenu", scope=SCOPE_GLOBAL),),
        )
    )
    turn.send(turn.t("start.greeting") + "\n\n" + turn.t("consent.notice"), keyboard)
