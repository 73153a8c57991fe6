"""A real database (a SQLite file or PostgreSQL), migrated, with a unit of work factory."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import SecretStr

from cases.filing import Filing, file_report
from handlers.notices import filing_for
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.deps import handler_deps
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.models import Citizen, Report, ReportPhoto
from storage.uow import UnitOfWork
from tests.databases import migrate_for_test


def _filing() -> Filing:
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    return filing_for(handler_deps(settings, "1:x", Catalogs("id"), ManualClock()))


class Database:
    def __init__(self, url_or_path: str | Path) -> None:
        """A database URL (tests/databases.py), or a path for a SQLite file."""
        self.url = (
            url_or_path if isinstance(url_or_path, str) else f"sqlite+aiosqlite:///{url_or_path}"
        )

    async def start(self) -> None:
        await migrate_for_test(self.url)
        self.engine = create_engine(self.url)
        self.sessions = session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    async def add_report(
        self, now: datetime, *photo_file_ids: str, channel: str = "telegram"
    ) -> int:
        """A citizen (Telegram user 42) with one new report and its evidence photos, filed as
        every report is (no unit is registered here: it stays unrouted and owes no card)."""
        async with self.uow() as uow:
            citizen = await uow.citizens.add(
                Citizen(
                    channel=channel,
                    user_id="42",
                    chat_id="42",
                    consent_at=now,
                    consent_version="1",
                    created_at=now,
                )
            )
            report = Report(
                tracking_no="",
                citizen_id=citizen.id,
                channel=channel,
                report_type="pengaduan",
                category="jalan",
                region_code="64.08",
                description="Jalan berlubang",
                privacy="biasa",
                created_at=now,
                updated_at=now,
            )
            photos = [
                ReportPhoto(position=n, file_id=f, file_unique_id=f"u-{f}", media_group_id="")
                for n, f in enumerate(photo_file_ids, start=1)
            ]
            await file_report(uow, _filing(), now, report, photos)
            await uow.commit()
            return report.id
