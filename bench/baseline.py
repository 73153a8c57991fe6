"""``--baseline REV``: the bot of an earlier commit beside this tree's, in one run, and their ratio.

REV is a git revision (a commit, tag or branch of this repository), exported with ``git archive``
into a temporary folder that goes away after the run; a folder already holding a checkout is
taken as it is. Each Kanal Aduan row then runs first with that bot (``before: ...``) and then with
this tree's, and :func:`before_after` sets the two side by side with after / before.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.errors import BenchError
from bench.report import BotResult

REPO_ROOT = Path(__file__).resolve().parents[1]
BEFORE = "before: "


def _git(*args: str, repo: Path = REPO_ROOT) -> bytes:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def resolve(rev: str, repo: Path = REPO_ROOT) -> str:
    """The full commit id of ``rev``; fails (BenchError) if it names no commit."""
    return _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", repo=repo).decode().strip()


@contextmanager
def checkout(value: str, repo: Path = REPO_ROOT) -> Iterator[tuple[Path, str]]:
    """The folder of the baseline's code and how to name it: ``value`` itself if it is a folder,
    else the files of commit ``value`` in a temporary folder (removed afterwards)."""
    folder = Path(value)
    if folder.is_dir():
        yield folder.resolve(), str(folder)
        return
    commit = resolve(value, repo)
    archive = _git("archive", "--format=tar", commit, repo=repo)
    target = Path(tempfile.mkdtemp(prefix="aduan-baseline-"))
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
        yield target, commit[:7]
    finally:
        shutil.rmtree(target, ignore_errors=True)


def _ratio(after: float | None, before: float | None) -> str:
    if after is None or before is None or before == 0:
        return "n/a"
    return f"{after / before:.2f}x"


def _num(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def before_after(results: Sequence[BotResult]) -> str:
    """Each row run on both bots: before → after and after / before, per figure.

    Below 1x is better for wall, latency and memory; above 1x is better for updates/s."""
    by_name = {r.name: r for r in results}
    pairs = [
        (by_name[BEFORE + r.name], r)
        for r in results
        if not r.name.startswith(BEFORE) and BEFORE + r.name in by_name
    ]
    header = ["row", "wall s", "updates/s", "p50 ms", "p99 ms", "peak RSS MB"]
    figures = [("wall_s", 2), ("updates_per_s", 1), ("p50_ms", 1), ("p99_ms", 1)]
    figures.append(("peak_rss_mb", 1))
    rows = [header]
    for before, after in pairs:
        cells = [after.name]
        for field, digits in figures:
            old, new = getattr(before, field), getattr(after, field)
            shown = f"{_num(old, digits)} → {_num(new, digits)} ({_ratio(new, old)})"
            cells.append(shown)
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(line.rstrip() for line in lines)
