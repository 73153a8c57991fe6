"""What ``aduan run`` loads (issue 13: the bot's memory is mostly what it imports and keeps).

Structural, not a measurement: a fresh interpreter takes the run path (the migrations in a child
process, then ``build_app`` on python-telegram-bot with a real SQLite file) and lists which of
the heavy modules that only other commands need were imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import imports
from cli.console import EXPORT_FORMATS
from storage.db import _files_head
from web.console.exports import FORMATS

ROOT = Path(__file__).resolve().parents[2]

#: Loaded by ``aduan run`` they would stay for the life of the process: the migrations (Alembic,
#: Mako), the console and its exports (web, openpyxl), aiohttp (only webhook mode and aiogram
#: need it), the unit files' YAML reader, the emulator (only the sandbox and the tests run it),
#: and lokal's tables of the whole country.
NOT_FOR_RUN = ("alembic", "mako", "openpyxl", "web", "aiohttp", "yaml", "aiogram", "emulator")

_SCRIPT = """
import asyncio, json, sys
from lokal import wilayah
import cli.main
from runtime.bootstrap import build_app
from runtime.settings import Settings

async def main():
    settings = Settings()
    await cli.main._migrate_apart(settings)
    app = await build_app(settings)
    await app.engine.dispose()

asyncio.run(main())
heavy = sorted({name.partition(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print(json.dumps({"heavy": heavy, "lokal_tables": sorted(wilayah._cache)}))
"""


def _run_path(tmp_path: Path) -> dict[str, list[str]]:
    env = {
        **os.environ,
        "BOT_TOKEN": "123456:TEST",
        "BOT_FRAMEWORK": "ptb",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'aduan.db'}",
        "MEDIA_DIR": str(tmp_path / "media"),
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *NOT_FOR_RUN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow  # a fresh interpreter runs the command
def test_the_run_path_imports_no_module_only_other_commands_need(tmp_path: Path) -> None:
    result = _run_path(tmp_path)
    assert result["heavy"] == []
    # Only lokal's small table (provinces to kecamatan); not every desa's name and kode pos.
    assert result["lokal_tables"] == ["wilayah"]


@pytest.mark.slow  # a fresh interpreter runs the command
def test_the_run_path_migrated_the_database(tmp_path: Path) -> None:
    import sqlite3

    _run_path(tmp_path)
    with sqlite3.connect(tmp_path / "aduan.db") as db:
        (version,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        units = db.execute("SELECT count(*) FROM units").fetchone()[0]
    assert version == _files_head()
    assert units > 0  # seeded from the root's regions


def test_the_head_read_from_the_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from storage.db import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config("sqlite://"))
    assert _files_head() == script.get_current_head()


def test_the_export_command_offers_the_consoles_formats() -> None:
    assert EXPORT_FORMATS == FORMATS


@pytest.mark.slow  # a fresh interpreter per framework
@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
def test_the_bench_row_measures_the_run_paths_imports_alone(framework: str) -> None:
    """``python -m bench`` prints the run path's peak memory per framework; the path it measures
    loads neither the migrations, the console, the emulator nor the unit files' YAML."""
    measured = imports.measure(framework)
    assert measured.loaded == ()
    assert set(imports.NOT_FOR_RUN) >= {"alembic", "openpyxl", "emulator"}
    assert measured.peak_rss_mb > 10
