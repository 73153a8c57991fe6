"""``aduan apikey`` through ``cli.main.main`` on a real SQLite file: the key is printed once,
stored only hashed, listed without it, and refused by the API once revoked."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from cli.main import main
from core.open311 import hash_api_key
from storage.db import create_engine, session_factory
from storage.open311 import Open311Repository
from storage.uow import UnitOfWork


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    return url


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(["apikey", *argv])
    return status, capsys.readouterr().out


def _stored(url: str) -> list[tuple[str, str, bool]]:
    async def read() -> list[tuple[str, str, bool]]:
        engine = create_engine(url)
        try:
            async with UnitOfWork(session_factory(engine)) as uow:
                rows = await Open311Repository(uow.session).keys()
                return [(r.name, r.key_hash, r.revoked_at is not None) for r in rows]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_create_list_revoke(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(capsys, "create", "kota-app")
    assert status == 0
    key = out.strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", key)
    assert _stored(database) == [("kota-app", hash_api_key(key), False)]

    status, out = _run(capsys, "create", "kota-app")
    assert status == 1
    assert "Sudah ada kunci bernama kota-app" in out
    assert _run(capsys, "create", "nama dengan spasi")[0] == 1

    status, out = _run(capsys, "list")
    assert status == 0
    assert "kota-app" in out
    assert "aktif" in out
    assert key not in out
    assert key[:8] in out

    assert _run(capsys, "revoke", "kota-app")[0] == 0
    assert _stored(database)[0][2] is True
    assert "dicabut" in _run(capsys, "list")[1]
    status, out = _run(capsys, "revoke", "kota-app")
    assert status == 1
    assert "Tidak ada kunci aktif" in out
