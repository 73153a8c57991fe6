"""``python -m emulator [--host H] [--port P] [--flood-limits]``: run the emulator."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from emulator.server import serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Loopback Telegram Bot API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--flood-limits", action="store_true", help="enforce Telegram flood limits")
    parser.add_argument("--bot-username", default="kanal_aduan_bot")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve_forever(
                args.host,
                args.port,
                flood_limits=args.flood_limits,
                bot_username=args.bot_username,
            )
        )


if __name__ == "__main__":
    main()
