"""Logging for the runtime: one stream handler whose filter masks personal data in every line."""

from __future__ import annotations

import logging
import sys

from lokal.samaran.logging import SamaranFilter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MARKER = "_aduan_handler"


def setup_logging(level: str = "INFO") -> logging.Handler:
    """Install (once) a stderr handler with :class:`SamaranFilter`; returns the handler.

    The filter sits on the handler, not a logger, so records of every library pass through it:
    phone numbers, NIK and the like are masked before they reach stderr or a log collector.
    """
    root = logging.getLogger()
    root.setLevel(level.upper())
    for existing in root.handlers:
        if getattr(existing, _MARKER, False):
            return existing
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(SamaranFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    setattr(handler, _MARKER, True)
    root.addHandler(handler)
    # httpx (under python-telegram-bot) logs every request at INFO, with the token in its URL.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Alembic announces every plugin on each start; only its warnings matter here.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler logs every run of the clock's job; the round logs what it did (runtime.reminders).
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return handler
