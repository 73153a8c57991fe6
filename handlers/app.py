"""Entry point of the conversations: one event in, rows and outbox actions out."""

from __future__ import annotations

import logging

from core import commands
from core.callbacks import verify_callback
from core.whatsapp import WHATSAPP_CHANNEL
from handlers import (
    citizen,
    console_requests,
    counter,
    flood,
    followup,
    free_text,
    group,
    intake,
    posters,
    rights,
    similar,
)
from handlers.deps import HandlerDeps
from handlers.events import (
    BotMembership,
    ButtonPress,
    ChatKind,
    ChatMigrated,
    ConsoleRequested,
    Event,
    Message,
)
from handlers.steps import ChatStep
from handlers.turn import SCOPE_GLOBAL, SCOPE_STEP, Turn
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class Conversations:
    def __init__(self, deps: HandlerDeps) -> None:
        self.deps = deps

    async def handle(self, event: Event, uow: UnitOfWork) -> None:
        """Act on one event inside ``uow``; the caller commits (with the inbox row marked done)."""
        if isinstance(event, ChatMigrated):
            await group.on_migrated(uow, self.deps, event)
            return
        if isinstance(event, BotMembership):
            await group.on_membership(uow, self.deps, event)
            return
        if isinstance(event, ConsoleRequested):
            await console_requests.on_request(uow, self.deps, event)
            return
        if not isinstance(event, Message | ButtonPress):
            return
        now = self.deps.clock()
        conversation = await uow.conversations.get_or_create(
            event.channel,
            event.chat_id,
            language=self.deps.catalogs.default_language,
            now=now,
        )
        turn = Turn(event=event, uow=uow, deps=self.deps, conversation=conversation, now=now)
        if event.chat_kind != ChatKind.PRIVATE:
            # Group chatter the bot ignores does not count; commands, buttons and replies to the
            # bot do, each member on their own, so a runaway script in a group cannot make the
            # bot flood it (or Telegram), nor silence the officers (handlers/flood.py).
            if group.addresses_bot(event) and await flood.held_back_in_group(turn):
                return
            if isinstance(event, ButtonPress):
                await group.on_press(turn, event)
            else:
                await group.on_message(turn, event)
            return
        if flood.held_back_in_private(turn):
            return
        if isinstance(event, ButtonPress):
            await _on_press(turn, event)
        else:
            await _on_message(turn, event)
        conversation.updated_at = now


async def _on_press(turn: Turn, press: ButtonPress) -> None:
    secret = turn.deps.config.callback_secret
    payload = verify_callback(press.data, secret, turn.chat_id)
    if payload is None:
        payload = verify_callback(press.data, secret)
        if payload is not None and not payload.startswith(f"{SCOPE_GLOBAL}:"):
            # A screen's button made for another chat (or before buttons were bound to chats).
            log.warning("refused a screen button that was not sent to this chat")
            turn.answer(turn.t("button.stale"), alert=True)
            return
    if payload is None:
        log.warning("refused button data that this bot never issued (chat kind private)")
        turn.answer(turn.t("button.unknown"), alert=True)
        return
    scope, _, rest = payload.partition(":")
    seq_text, _, rest = rest.partition(":")
    action, _, arg = rest.partition(":")
    if scope == SCOPE_STEP and seq_text != str(turn.conversation.step_seq):
        turn.answer(turn.t("button.stale"), alert=True)
        return
    if await rights.held_back(turn, action=action) or await rights.on_button(turn, action, arg):
        return
    if await citizen.on_button(turn, action, arg):
        return
    if await counter.on_button(turn, action, arg):
        return
    if scope != SCOPE_STEP and await similar.on_button(turn, action, arg):
        return
    if scope != SCOPE_STEP and await followup.on_button(turn, action, arg):
        return
    await intake.on_button(turn, action, arg)


async def _on_message(turn: Turn, message: Message) -> None:
    if message.channel == WHATSAPP_CHANNEL and turn.conversation.step_seq == 0:
        # WhatsApp has no Start button: a chat's very first message is its /start (the notice
        # and consent come before anything is kept); a poster's prepared message is /start <code>.
        parameter = message.command_args if message.command in commands.START else ""
        if not await posters.opened_from_poster(turn, parameter):
            await citizen.start(turn)
        return
    # A citizen who withdrew consent is answered only about their data (handlers/rights.py).
    if await rights.held_back(turn, message=message):
        return
    if message.command:
        if await rights.on_command(turn, message):
            return
        if not await counter.on_command(turn, message):
            await citizen.on_command(turn, message)
        return
    if await rights.on_step_message(turn, message) or await rights.on_menu_text(turn, message):
        return
    if await counter.on_message(turn, message):
        return
    # A reply to a message about a report goes to the unit, whatever the chat was doing.
    if await followup.on_reply(turn, message):
        return
    if await citizen.on_menu_text(turn, message):
        return
    if await followup.on_step_message(turn, message):
        return
    if turn.conversation.step == ChatStep.STATUS_INPUT and message.text and not message.photos:
        await citizen.lookup_status(turn, message.text)
        return
    if await citizen.on_typed_number(turn, message):
        return
    # Outside any step, a citizen with open reports is never answered with the menu alone.
    if await followup.on_idle_message(turn, message):
        return
    if await free_text.on_opening(turn, message):
        return
    await intake.on_message(turn, message)
