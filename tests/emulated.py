"""What the integration and end-to-end tests share about the loopback Bot API emulator."""

from __future__ import annotations

#: The bot account every test talks to the emulator as (any well-formed token is accepted).
TOKEN = "123456:TEST-token"

#: Every ``BOT_FRAMEWORK``; tests of the bot or its adapters run once per framework.
FRAMEWORKS = ("aiogram", "ptb")
