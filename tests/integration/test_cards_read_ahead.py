"""A batch's cards' links read ahead (``storage.read_ahead``) answer ``LinkRepository.of_report``
in the same transaction only: a link added in it forgets its report's (read again), and the
next transaction reads afresh. On SQLite and PostgreSQL (``TEST_POSTGRES_URL``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from core.purposes import Purpose
from storage.models import MessageLink, Report
from storage.read_ahead import hold_cards
from tests.integration import test_console_actions as base
from tests.integration.test_console_actions import Desk

desk = base.desk


async def test_held_links_answer_until_a_link_is_added(desk: Desk) -> None:
    number = await desk.file()
    reads: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM message_links" in statement:
            reads.append(statement)

    async with desk.db.uow() as uow:
        report_id = await uow.session.scalar(select(Report.id).where(Report.tracking_no == number))
        assert report_id is not None
        sent = list(
            await uow.session.scalars(
                select(MessageLink).where(
                    MessageLink.report_id == report_id, MessageLink.purpose == Purpose.CARD
                )
            )
        )
        hold_cards(uow.session, [report_id], sent)
        event.listen(desk.db.engine.sync_engine, "before_cursor_execute", executed)
        try:
            held = await uow.links.of_report(report_id, Purpose.CARD)
            assert [link.id for link in held] == [link.id for link in sent]
            assert reads == []  # answered from what was held
            await uow.links.add(
                channel="telegram",
                chat_id="-777",
                message_id=4242,
                report_id=report_id,
                purpose=Purpose.CARD,
                now=desk.clock(),
            )
            again = await uow.links.of_report(report_id, Purpose.CARD)
            assert len(reads) == 1  # read again after the link was added
            assert [link.message_id for link in again][-1] == 4242
        finally:
            event.remove(desk.db.engine.sync_engine, "before_cursor_execute", executed)
        await uow.commit()
    async with desk.db.uow() as uow:
        hold_cards(uow.session, [report_id], [])  # outside a transaction: nothing is held
        assert len(await uow.links.of_report(report_id, Purpose.CARD)) == len(sent) + 1
        hold_cards(uow.session, [report_id], [])  # held, in the transaction, as having no card
        assert await uow.links.of_report(report_id, Purpose.CARD) == []
        await uow.commit()
        # The session's next transaction holds nothing: read afresh.
        latest = await uow.links.of_report(report_id, Purpose.CARD)
        assert [link.message_id for link in latest][-1] == 4242
