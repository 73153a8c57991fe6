"""``/dasbor`` in a bound group: the admin who sent it gets, in their private chat, a single-use
link into the unit's console (valid 10 minutes). Only the group's Telegram admins may ask; the
group is told that the link went to the private chat, never the link itself."""

from __future__ import annotations

from core import commands
from handlers.actions import SendText
from handlers.ask_first import sender_is_admin
from handlers.outgoing import emit
from handlers.turn import Turn
from storage.console import LOGIN_TTL, issue_login
from storage.models import Unit
from storage.outbox_retention import redactable

COMMANDS = frozenset(commands.CONSOLE)


async def send_link(turn: Turn, unit: Unit) -> None:
    sender = turn.event.sender
    if not sender_is_admin(turn):
        turn.send(turn.t("console.dasbor.admin_only"))
        return
    token = await issue_login(
        turn.uow.session,
        unit.id,
        # Sign-in runs on real time (web.console.config): a moved clock must not void the link.
        now=turn.deps.wall_now(),
        user_id=sender.user_id,
        user_name=sender.display_name or sender.username,
        ttl=LOGIN_TTL,
    )
    base = f"{turn.deps.config.console_url.rstrip('/')}/masuk/"
    minutes = int(LOGIN_TTL.total_seconds() // 60)
    # In Telegram a private chat's id is the user's id; the bot can write there once the admin
    # has started it (otherwise the send fails for good and /gagal shows it).
    text = turn.t("console.dasbor.link", unit=unit.name, link=base + token, minutes=minutes)
    # Once sent (or failed) the outbox keeps the text without the token (only its hash is kept).
    kept = turn.t("console.dasbor.link", unit=unit.name, link=base + "…", minutes=minutes)
    emit(
        turn.uow,
        turn.channel,
        sender.user_id,
        SendText(chat_id=sender.user_id, text=text),
        turn.now,
        extra=redactable(kept),
    )
    turn.send(turn.t("console.dasbor.sent"))
