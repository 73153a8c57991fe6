"""Unit of work: one session and one transaction per update or job."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import (
    CitizenRepository,
    ConversationRepository,
    InboxRepository,
    LinkRepository,
    OutboxRepository,
    ReportRepository,
    UnitRepository,
)
from storage.rights import erase_pending_on_close


class UnitOfWork:
    """``async with UnitOfWork(factory) as uow: ...; await uow.commit()``; rolls back otherwise."""

    def __init__(self, factory: Callable[[], AsyncSession]) -> None:
        self._factory = factory

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.citizens = CitizenRepository(self.session)
        self.conversations = ConversationRepository(self.session)
        self.reports = ReportRepository(self.session)
        self.inbox = InboxRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.units = UnitRepository(self.session)
        self.links = LinkRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() discards whatever was not committed without expiring loaded objects, so rows
        # read in a unit of work stay readable after it ends.
        try:
            if exc_type is not None:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        # A report closed in this transaction whose reporter asked for removal meanwhile loses
        # the identity in the same commit (storage/rights.py), whichever door closed it.
        await erase_pending_on_close(self.session)
        await self.session.commit()

    async def flush(self) -> None:
        await self.session.flush()
