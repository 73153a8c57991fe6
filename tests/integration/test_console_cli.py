"""``aduan console`` and ``aduan console link``: which database they read, what they say when it
is missing or empty, and a first link on a fresh install (the region's units are there before
the bot ran)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def test_a_first_login_link_on_a_fresh_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    monkeypatch.setenv("CONSOLE_PORT", "8123")
    # A new database is made only when asked (--create): a mistyped DATABASE_URL is not.
    assert main(["console", "link", "diskominfo", "--create"]) == 0
    out = capsys.readouterr().out
    assert "Diskominfo" in out
    assert re.search(r"http://127\.0\.0\.1:8123/masuk/[A-Za-z0-9_-]{20,}", out), out


def test_a_link_over_a_missing_sqlite_file_is_refused_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)  # the default: data/aduan.db
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    assert main(["console", "link", "diskominfo"]) == 1
    said = capsys.readouterr()
    assert "Konsol membaca basis data: sqlite+aiosqlite:///data/aduan.db" in said.out
    assert "data/aduan.db belum ada" in said.err
    assert "--create" in said.err
    assert "/masuk/" not in said.out
    assert not (tmp_path / "data").exists()


def console_start(workdir: Path, **env: str) -> str:
    """What ``aduan console`` prints up to its ready line (then it is stopped)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BOT_TOKEN")}
    environment.update(PYTHONPATH=str(ROOT), DEFAULT_LANGUAGE="id", **env)
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "console", "--port", "0"],
        cwd=workdir,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # ends when the process does: a console that died
            lines.append(line)
            if "Konsol siap" in line:
                break
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert any("Konsol siap" in line for line in lines), "".join(lines)
    return "".join(lines)


@pytest.mark.slow
def test_the_console_names_its_database_and_says_when_it_is_missing_or_empty(
    tmp_path: Path,
) -> None:
    first = console_start(tmp_path)
    assert "Konsol membaca basis data: sqlite+aiosqlite:///data/aduan.db" in first
    assert "data/aduan.db belum ada" in first
    assert "data/sandbox/" in first  # where the sandbox's data is, and its console's button
    assert "tombol Konsol" in first
    again = console_start(tmp_path)  # the file now exists, without a report
    assert "belum ada" not in again
    assert "belum berisi laporan" in again
    assert "data/sandbox/" in again


def test_the_database_is_named_with_its_password_masked() -> None:
    from cli.console import database_label

    shown = database_label("postgresql+asyncpg://aduan:rahasia@db.lokal:5432/aduan")
    assert "rahasia" not in shown
    assert shown == "postgresql+asyncpg://aduan:***@db.lokal:5432/aduan"
    assert database_label("sqlite+aiosqlite:///data/aduan.db") == (
        "sqlite+aiosqlite:///data/aduan.db"
    )
