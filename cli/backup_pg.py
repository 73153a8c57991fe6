"""PostgreSQL's part of ``aduan backup`` / ``aduan restore``: ``pg_dump`` and ``psql``.

Both come with PostgreSQL's client package (Debian: ``postgresql-client``); they are looked
for on ``PATH`` and in Debian's ``/usr/lib/postgresql/<version>/bin``. The connection is given
to them in the ``PG*`` environment variables, so the password never shows in a process list.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from cli.backup_archive import COUNTED
from storage.db import create_engine

_COPY = re.compile(r"^COPY public\.(\w+) ")


def masked(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


def tool(name: str) -> str | None:
    """``pg_dump`` or ``psql``: on PATH, else the newest of Debian's server folders."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return str(candidates[-1]) if candidates else None


def _environment(database_url: str) -> dict[str, str]:
    url = make_url(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": url.host,
        "PGPORT": url.port,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    env.update({k: str(v) for k, v in values.items() if v not in (None, "")})
    return env


class DumpError(Exception):
    """``pg_dump`` is missing or failed: ``key`` says which, ``reason`` its first error line."""

    def __init__(self, key: str, reason: str = "") -> None:
        super().__init__(key)
        self.key = key
        self.reason = reason


def dump(database_url: str, target: Path) -> tuple[Path, dict[str, int]]:
    """The database as one SQL script (one consistent snapshot), with the row counts read from
    it. Raises :class:`DumpError`."""
    pg_dump = tool("pg_dump")
    if pg_dump is None:
        raise DumpError("cli.backup.no_pg_dump")
    done = subprocess.run(
        [pg_dump, "--no-owner", "--no-privileges", "--format=plain", "--file", str(target)],
        env=_environment(database_url),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["pg_dump"]
        raise DumpError("cli.backup.pg_dump_failed", lines[0][:300])
    return target, _counts(target)


def _counts(script: Path) -> dict[str, int]:
    counts = dict.fromkeys(COUNTED, 0)
    table: str | None = None
    with script.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if table is not None:
                if line.startswith("\\."):
                    table = None
                elif table in counts:
                    counts[table] += 1
                continue
            copy = _COPY.match(line)
            if copy:
                table = copy.group(1)
    return counts


async def not_empty(database_url: str) -> str | None:
    """None when the database answers and holds no table; else the locale key saying why not."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            tables = await connection.scalar(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            )
    except Exception:
        return "cli.restore.pg_unreachable"
    finally:
        await engine.dispose()
    return "cli.restore.pg_not_empty" if tables else None


def load(database_url: str, script: Path, after: list[str]) -> str | None:
    """Run the dump and ``after`` in one transaction (all or nothing); None when it worked,
    else psql's first error line."""
    psql = tool("psql")
    if psql is None:
        return "psql?"
    finish = script.with_name("after.sql")
    finish.write_text("SET search_path = public;\n" + ";\n".join(after) + ";\n", encoding="utf-8")
    command = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    done = subprocess.run(
        [*command, "-f", str(script), "-f", str(finish)],
        env=_environment(database_url),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return None
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    return (errors or done.stderr.splitlines() or ["psql"])[0][:300]
