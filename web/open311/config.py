"""What the Open311 sub-application is built from (no settings object of the bot is imported:
the process that mounts it, ``aduan console``, fills this from its own settings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from core.categories import Category
from core.inputs import Bounds
from core.regions import RegionDirectory
from locales import Catalogs


@dataclass(frozen=True)
class Open311Config:
    regions: RegionDirectory
    categories: tuple[Category, ...]
    timezone: ZoneInfo
    catalogs: Catalogs
    #: Where the media worker stores the evidence photos (``MEDIA_DIR``).
    media_dir: Path
    #: Language of names and error descriptions; a request may ask for the other with ``locale``.
    language: str = "id"
    #: Descriptions, address details, GPS points, notes and photos of verified public reports
    #: (``OPEN311_PUBLISH_DESCRIPTIONS``); off: only category, place, status and dates.
    publish_descriptions: bool = True
    #: Whether other systems may file reports (``POST requests``) at all.
    accept_requests: bool = True
    #: The most requests one key may file in any minute (``OPEN311_POSTS_PER_MINUTE``).
    posts_per_minute: int = 10
    #: A posted ``lat``/``long`` outside this box is refused, as the chat refuses it
    #: (``REGION_BOUNDS``; Indonesia by default).
    region_bounds: Bounds = field(default_factory=Bounds)
    #: The most requests one GET returns (newest first).
    max_requests: int = 1000
    #: Shown in ``discovery`` (who to contact about the API).
    contact: str = ""
    #: ``jurisdiction_id`` this endpoint answers to; default: the region's Kemendagri code.
    jurisdiction_id: str = ""
