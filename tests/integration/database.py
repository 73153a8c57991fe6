"""A real SQLite file, migrated, with a unit of work factory: what integration tests share."""

from __future__ import annotations

from pathlib import Path

from storage.db import create_engine, migrate, session_factory
from storage.uow import UnitOfWork


class Database:
    def __init__(self, path: Path) -> None:
        self.url = f"sqlite+aiosqlite:///{path}"

    async def start(self) -> None:
        await migrate(self.url)
        self.engine = create_engine(self.url)
        self.sessions = session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)
