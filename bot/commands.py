"""The command list Telegram shows behind the "/" button, in each catalogue language."""

from __future__ import annotations

import logging

from bot.channels.base import Channel
from bot.channels.errors import ChannelError
from core import commands as vocabulary
from locales import Catalogs

log = logging.getLogger(__name__)

#: Commands shown to citizens, in menu order (each has a catalogue entry ``commands.<name>``).
CITIZEN_COMMANDS = vocabulary.CITIZEN_MENU
#: Commands shown in group chats, for officers (catalogue entries ``commands.group.<name>``).
GROUP_COMMANDS = vocabulary.GROUP_MENU
#: Telegram's scope of each menu, and the catalogue prefix and names of its commands.
MENUS = (
    ({"type": "all_private_chats"}, "commands", CITIZEN_COMMANDS),
    ({"type": "all_group_chats"}, "commands.group", GROUP_COMMANDS),
)


def command_list(
    catalogs: Catalogs,
    language: str,
    prefix: str = "commands",
    names: tuple[str, ...] = CITIZEN_COMMANDS,
) -> list[dict[str, str]]:
    tr = catalogs.get(language)
    return [{"command": c, "description": tr.t(f"{prefix}.{c}")} for c in names]


async def publish_commands(channel: Channel, catalogs: Catalogs) -> None:
    """Set the menus for private chats (citizens) and groups (officers); the list without a
    language is in the default language.

    A failure is logged, not fatal: the bot works without the menu.
    """
    try:
        for scope, prefix, names in MENUS:
            await channel.call(
                "setMyCommands",
                {
                    "commands": command_list(catalogs, catalogs.default_language, prefix, names),
                    "scope": scope,
                },
            )
            for tr in catalogs.all():
                await channel.call(
                    "setMyCommands",
                    {
                        "commands": command_list(catalogs, tr.language, prefix, names),
                        "scope": scope,
                        "language_code": tr.language,
                    },
                )
    except ChannelError as exc:
        log.warning("could not publish the command menu: %s", type(exc).__name__)
