"""Loopback Telegram Bot API emulator (server) and its test-side client.

See :mod:`emulator.server` for the Bot API surface and :mod:`emulator.control` for the
control API that plays the users' side.
"""

from emulator.client import EmulatorClient, EmulatorError, TgUser
from emulator.server import Emulator, serve_forever

__all__ = ["Emulator", "EmulatorClient", "EmulatorError", "TgUser", "serve_forever"]
