"""A benchmark's ``--baseline`` runs the bot of an earlier checkout: one from before the command
moved to ``cli/`` starts as ``bot.cli``."""

from __future__ import annotations

from pathlib import Path

from bench.procs import run_argv


def test_this_checkout_runs_the_command_of_cli() -> None:
    assert run_argv() == ["-m", "cli.main", "run"]


def test_an_earlier_checkout_runs_its_own_command(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "cli.py").write_text("")
    assert run_argv(tmp_path) == ["-m", "bot.cli", "run"]
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "main.py").write_text("")
    assert run_argv(tmp_path) == ["-m", "cli.main", "run"]
