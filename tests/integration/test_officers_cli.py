"""``aduan units officers`` through ``cli.main.main`` on a real SQLite file."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from cli.main import main
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage
from storage.uow import UnitOfWork
from tests.integration.test_units_cli import _bind, database

__all__ = ["database"]  # the fixture, shared with the units CLI's tests


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(["units", *argv])
    return status, capsys.readouterr().out


def _announcements(url: str) -> list[tuple[str, str]]:
    async def read() -> list[tuple[str, str]]:
        engine = create_engine(url)
        try:
            async with UnitOfWork(session_factory(engine)) as uow:
                rows = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
                return [(row.chat_id, str(row.payload["text"])) for row in rows]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_officers_are_named_listed_withdrawn_and_announced(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "seed")[0] == 0
    _bind(database, "dinas-pupr", "-100300", "Aduan Dinas PUPR")
    _bind(database, "diskominfo", "-100100", "Koordinator")

    status, out = _run(capsys, "officers", "dinas-pupr")
    assert status == 0
    assert "belum menunjuk petugas" in out

    status, out = _run(capsys, "officers", "dinas-pupr", "--add", "2003", "--name", "Dewi")
    assert status == 0
    assert "Pengguna 2003 sekarang petugas yang ditunjuk." in out
    assert "2003  Dewi" in out
    assert _run(capsys, "officers", "dinas-pupr", "--add", "2003")[1].startswith(
        "Pengguna 2003 sudah petugas"
    )
    announced = _announcements(database)
    assert [chat for chat, _ in announced] == ["-100300", "-100100"]
    assert all("Dewi ditunjuk sebagai petugas" in text for _, text in announced)

    status, out = _run(capsys, "officers", "dinas-pupr", "--remove", "2003")
    assert status == 0
    assert "dicabut" in out
    assert "belum menunjuk petugas" in out
    assert len(_announcements(database)) == 4

    assert _run(capsys, "officers", "dinas-pupr", "--add", "dewi")[0] == 1
    assert _run(capsys, "officers", "tidak-ada", "--add", "1")[0] == 1
