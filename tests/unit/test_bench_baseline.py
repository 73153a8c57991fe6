"""``python -m bench --baseline REV``: the commit's files for the run; the before/after table."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench.baseline import before_after, checkout
from bench.errors import BenchError
from bench.procs import run_argv
from bench.report import BotResult


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_revision_is_exported_to_a_folder_that_goes_away_and_a_bad_one_fails(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "bot.py").write_text("OLD = True\n")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "old")
    old = _git(repo, "rev-parse", "HEAD")
    (repo / "bot.py").write_text("OLD = False\n")
    with checkout("HEAD", repo) as (folder, label):
        assert (folder / "bot.py").read_text() == "OLD = True\n"  # the commit, not the tree
        assert label == old[:7]
    assert not folder.exists()
    with checkout(str(repo), repo) as (same, _):  # a folder is taken as it is
        assert same == repo.resolve()
    with pytest.raises(BenchError, match="no-such-rev"), checkout("no-such-rev", repo):
        pass


def _row(name: str, wall: float, p50: float) -> BotResult:
    return BotResult(name, 50, 750, wall, 750 / wall, p50, p50 * 3, None, 200.0)


def test_before_after_pairs_each_row_with_its_before_row_and_gives_the_ratio() -> None:
    shown = before_after(
        [
            _row("before: Kanal Aduan (aiogram)", 20.0, 1000.0),
            _row("Kanal Aduan (aiogram)", 15.0, 800.0),
            _row("echo (bare aiogram)", 3.0, 100.0),
        ]
    )
    lines = shown.splitlines()
    assert len(lines) == 3  # header, rule, one pair: the echo has no before row
    assert lines[2].startswith("Kanal Aduan (aiogram)")
    assert "20.00 → 15.00 (0.75x)" in lines[2]
    assert "1000.0 → 800.0 (0.80x)" in lines[2]
    assert "37.5 → 50.0 (1.33x)" in lines[2]


def test_this_checkout_runs_the_command_of_cli() -> None:
    assert run_argv() == ["-m", "cli.main", "run"]


def test_an_earlier_checkout_runs_its_own_command(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "cli.py").write_text("")
    assert run_argv(tmp_path) == ["-m", "bot.cli", "run"]
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "main.py").write_text("")
    assert run_argv(tmp_path) == ["-m", "cli.main", "run"]
