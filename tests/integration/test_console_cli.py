"""``aduan console link`` on a fresh install: the region's units are there before the bot ran."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli.main import main


def test_a_first_login_link_on_a_fresh_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    monkeypatch.setenv("CONSOLE_PORT", "8123")
    assert main(["console", "link", "diskominfo"]) == 0
    out = capsys.readouterr().out
    assert "Diskominfo" in out
    assert re.search(r"http://127\.0\.0\.1:8123/masuk/[A-Za-z0-9_-]{20,}", out), out
