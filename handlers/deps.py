"""What the conversations need, built once by ``bot.bootstrap`` and passed in (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.calendar import WorkingCalendar
from core.categories import Category
from core.regions import RegionDirectory
from locales import Catalogs


@dataclass(frozen=True)
class HandlerConfig:
    timezone: ZoneInfo
    callback_secret: bytes
    verify_working_days: int = 3
    draft_stale: timedelta = timedelta(hours=6)
    throttle_max_updates: int = 20
    throttle_window: timedelta = timedelta(seconds=10)
    reports_page_size: int = 5


@dataclass(frozen=True)
class HandlerDeps:
    config: HandlerConfig
    catalogs: Catalogs
    regions: RegionDirectory
    categories: tuple[Category, ...]
    calendar: WorkingCalendar
    clock: Callable[[], datetime]
