"""Open311 GeoReport v2 for Kanal Aduan: other systems read public reports and file new ones.

``build_open311_app(config, sessions, clock, filing)`` builds the aiohttp sub-application that
the coordinator's console mounts at ``/open311/v2/``; see ``docs/open311.md``.
"""

from web.open311.app import build_open311_app
from web.open311.config import Open311Config

__all__ = ["Open311Config", "build_open311_app"]
