"""One turn of a conversation: the event, its unit of work, and helpers to describe replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.callbacks import sign_callback
from core.purposes import Purpose
from handlers.actions import (
    Action,
    AnswerButton,
    EditText,
    InlineButton,
    InlineKeyboard,
    Markup,
    SendText,
)
from handlers.deps import HandlerDeps
from handlers.events import ButtonPress, Message
from handlers.outgoing import emit
from locales import Translator
from storage.models import Conversation
from storage.uow import UnitOfWork

# Button scopes: "d" buttons belong to one screen of the conversation and go stale when it moves
# on; "g" buttons (language, paging of "my reports") stay valid.
SCOPE_STEP = "d"
SCOPE_GLOBAL = "g"


def global_button(deps: HandlerDeps, text: str, action: str, arg: str = "") -> InlineButton:
    """A button that stays valid whatever the conversation does next (scope "g")."""
    payload = f"{SCOPE_GLOBAL}:0:{action}" + (f":{arg}" if arg else "")
    return InlineButton(text=text, data=sign_callback(payload, deps.config.callback_secret))


@dataclass
class Turn:
    event: Message | ButtonPress
    uow: UnitOfWork
    deps: HandlerDeps
    conversation: Conversation
    now: datetime

    @property
    def tr(self) -> Translator:
        return self.deps.catalogs.get(self.conversation.language)

    def t(self, key: str, /, **values: object) -> str:
        return self.tr.t(key, **values)

    @property
    def chat_id(self) -> str:
        return self.event.chat_id

    @property
    def channel(self) -> str:
        return self.event.channel

    def emit(
        self,
        action: Action,
        report_id: int | None = None,
        *,
        purpose: Purpose = Purpose.NONE,
        link_action: str = "",
    ) -> None:
        """Queue an action; with a report and a purpose, the sent message becomes a reply path."""
        chat_id = getattr(action, "chat_id", self.chat_id)
        emit(
            self.uow,
            self.channel,
            chat_id,
            action,
            self.now,
            report_id=report_id,
            purpose=purpose,
            link_action=link_action,
        )

    def send(self, text: str, markup: Markup | None = None) -> None:
        self.emit(SendText(chat_id=self.chat_id, text=text, markup=markup))

    def answer(self, text: str = "", *, alert: bool = False) -> None:
        """Answer the button press (Telegram shows a spinner until a press is answered)."""
        if isinstance(self.event, ButtonPress):
            self.emit(AnswerButton(callback_id=self.event.callback_id, text=text, alert=alert))

    def show(self, text: str, markup: InlineKeyboard | None) -> None:
        """Show a screen: edit the pressed message in place, or send a new one after a message."""
        if isinstance(self.event, ButtonPress) and self.event.message_id is not None:
            self.emit(
                EditText(
                    chat_id=self.chat_id, message_id=self.event.message_id, text=text, markup=markup
                )
            )
        else:
            self.send(text, markup)

    def button(
        self, text: str, action: str, arg: str = "", *, scope: str = SCOPE_STEP
    ) -> InlineButton:
        if scope != SCOPE_STEP:
            return global_button(self.deps, text, action, arg)
        payload = f"{scope}:{self.conversation.step_seq}:{action}" + (f":{arg}" if arg else "")
        # Bound to this chat: the same data pressed in another person's chat does not verify.
        secret = self.deps.config.callback_secret
        return InlineButton(text=text, data=sign_callback(payload, secret, self.chat_id))
