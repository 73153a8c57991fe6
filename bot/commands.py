"""The command list Telegram shows behind the "/" button, in each catalogue language."""

from __future__ import annotations

import logging

from bot.channels.base import Channel
from bot.channels.errors import ChannelError
from locales import Catalogs

log = logging.getLogger(__name__)

#: Commands shown to citizens, in menu order (each has a catalogue entry ``commands.<name>``).
CITIZEN_COMMANDS = ("baru", "status", "laporansaya", "bantuan", "bahasa", "batal")


def command_list(catalogs: Catalogs, language: str) -> list[dict[str, str]]:
    tr = catalogs.get(language)
    return [{"command": c, "description": tr.t(f"commands.{c}")} for c in CITIZEN_COMMANDS]


async def publish_commands(channel: Channel, catalogs: Catalogs) -> None:
    """Set the menu for private chats; the default list is in the default language.

    A failure is logged, not fatal: the bot works without the menu.
    """
    scope = {"type": "all_private_chats"}
    try:
        await channel.call(
            "setMyCommands",
            {"commands": command_list(catalogs, catalogs.default_language), "scope": scope},
        )
        for tr in catalogs.all():
            await channel.call(
                "setMyCommands",
                {
                    "commands": command_list(catalogs, tr.language),
                    "scope": scope,
                    "language_code": tr.language,
                },
            )
    except ChannelError as exc:
        log.warning("could not publish the command menu: %s", type(exc).__name__)
