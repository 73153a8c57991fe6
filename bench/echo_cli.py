"""The command line both echo bots share (kept apart so neither imports the other's framework)."""

from __future__ import annotations

import argparse


def echo_args(framework: str, argv: list[str] | None) -> argparse.Namespace:
    """``--api-url URL --token TOKEN [--polling-timeout S]``."""
    parser = argparse.ArgumentParser(description=f"bare {framework} echo bot (benchmark baseline)")
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--polling-timeout", type=int, default=10)
    return parser.parse_args(argv)
