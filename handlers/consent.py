"""Consent (persetujuan) to the privacy notice: nothing personal is kept before it."""

from __future__ import annotations

from core.whatsapp import WHATSAPP_CHANNEL
from handlers.actions import InlineKeyboard
from handlers.rights_text import dpo_line
from handlers.steps import ChatStep
from handlers.turn import SCOPE_GLOBAL, Turn
from storage.models import Citizen

CONSENT_VERSION = "2026-11"


async def current_citizen(turn: Turn) -> Citizen | None:
    return await turn.uow.citizens.get(turn.channel, turn.event.sender.user_id)


#: What a citizen asked for before consenting, carried by the agree button so that agreeing
#: goes on to it: "Laporan baru", "Cek status", "Laporan saya".
THEN_CHOICES = frozenset({"new", "status", "mine"})


def ask_consent(turn: Turn, then: str = "") -> None:
    """The privacy notice; agreeing goes on to ``then`` (one of :data:`THEN_CHOICES`) if given."""
    conv = turn.conversation
    conv.step = ChatStep.CONSENT
    conv.step_seq += 1
    agree = f"yes.{then}" if then in THEN_CHOICES else "yes"
    keyboard = InlineKeyboard(
        rows=(
            (turn.button(turn.t("consent.agree"), "consent", agree, scope=SCOPE_GLOBAL),),
            (turn.button(turn.t("consent.decline"), "consent", "no", scope=SCOPE_GLOBAL),),
            (turn.button(turn.t("language.button"), "langmenu", scope=SCOPE_GLOBAL),),
        )
    )
    # Who answers for the data and how long it is kept, before the closing question.
    # A WhatsApp citizen's account is their number: the notice says so.
    key = "consent.notice.whatsapp" if turn.channel == WHATSAPP_CHANNEL else "consent.notice"
    *notice, question = turn.t(key).split("\n")
    text = "\n".join([*notice, dpo_line(turn), question])
    turn.send(turn.t("start.greeting") + "\n\n" + text, keyboard)
