"""``aduan backup -o FILE`` and ``aduan restore FILE`` (docs/operations.md, docs/breach.md).

A backup is one archive (cli/backup_archive.py): the database and the media folder, with a
manifest. On SQLite the database is copied with SQLite's online backup API, a consistent
snapshot taken beside the running bot (a plain file copy of a live SQLite database can be torn);
on PostgreSQL with ``pg_dump`` (one transaction, so consistent too), and without ``pg_dump``
the command says what to install. The database is copied first and the media folder after it,
so every photo the copy names is in the archive (a photo stored later is simply extra).

``aduan restore`` writes into an empty place only: no SQLite file yet (or a PostgreSQL database
without tables) and a missing or empty media folder; the archive is checked entirely before any
of it is written, and the database appears last, in one rename (SQLite) or one transaction
(PostgreSQL), so an interrupted restore leaves no database that looks whole.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from cli import backup_pg
from cli.backup_archive import (
    COUNTED,
    MEDIA,
    SQL_MEMBER,
    SQLITE_MEMBER,
    ArchiveError,
    Manifest,
    media_files,
    read_archive,
    write_archive,
)
from locales import Catalogs, Translator
from runtime.settings import Settings
from storage.db import migration_head

#: Leases name the process that held them; a restored copy has no live holder.
FORGET_LEASES = "DELETE FROM leases"


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], tr: Translator
) -> None:
    backup = commands.add_parser("backup", help=tr.t("cli.help.backup"))
    backup.add_argument("-o", "--output", type=Path, required=True, help=tr.t("cli.help.backup.o"))
    restore = commands.add_parser("restore", help=tr.t("cli.help.restore"))
    restore.add_argument("archive", type=Path, help=tr.t("cli.help.restore.file"))


def translator(settings: Settings) -> Translator:
    return Catalogs(settings.default_language).get(settings.default_language)


def sqlite_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    return Path(url.database or "")


def repoint_sql(old_media: str, new_media: str) -> str:
    """The statement that moves stored photo paths from the backed-up media folder to this one."""
    old, new = (m.replace("'", "''").rstrip("/") + "/" for m in (old_media, new_media))
    return (
        f"UPDATE report_photos SET stored_path = '{new}' || substr(stored_path, {len(old) + 1}) "
        f"WHERE substr(stored_path, 1, {len(old)}) = '{old}'"
    )


# --- backup -----------------------------------------------------------------------------------


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    tr = translator(settings)
    target: Path = args.output
    if not target.parent.is_dir():
        print(tr.t("cli.backup.no_folder", path=target.parent), file=sys.stderr)
        return 2
    database = sqlite_path(settings.database_url)
    if database is not None and not database.is_file():
        print(tr.t("cli.backup.no_database", path=database), file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix=".aduan-backup-", dir=target.parent) as work:
            manifest = _make_archive(settings, database, Path(work), target)
    except backup_pg.DumpError as error:
        url = backup_pg.masked(settings.database_url)
        print(tr.t(error.key, url=url, reason=error.reason), file=sys.stderr)
        return 2
    except OSError as error:
        reason = error.strerror or type(error).__name__
        print(tr.t("cli.backup.not_writable", path=target, reason=reason), file=sys.stderr)
        return 2
    photos = sum(name.startswith(f"{MEDIA}/") for name in manifest.files)
    print(tr.t("cli.backup.done", path=target, photos=photos, **_count_words(manifest.counts)))
    return 0


def _make_archive(settings: Settings, database: Path | None, work: Path, target: Path) -> Manifest:
    if database is not None:
        member, counts = _sqlite_snapshot(database, work)
    else:
        member, counts = backup_pg.dump(settings.database_url, work / SQL_MEMBER)
    manifest = Manifest(
        engine="sqlite" if database is not None else "postgresql",
        schema=migration_head(),
        media_dir=str(settings.media_dir),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        counts=counts,
    )
    members = [(member.name, member), *media_files(settings.media_dir)]
    write_archive(target, manifest, members)
    return manifest


def _count_words(counts: dict[str, int]) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in COUNTED}


def _sqlite_snapshot(database: Path, work: Path) -> tuple[Path, dict[str, int]]:
    """A consistent copy of a live SQLite database (the online backup API: it reads under one
    read transaction, so the copy is one moment of the database, WAL included)."""
    copy = work / SQLITE_MEMBER
    source = sqlite3.connect(database.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        counts = {name: _count(target, name) for name in COUNTED}
    finally:
        target.close()
        source.close()
    return copy, counts


def _count(connection: sqlite3.Connection, table: str) -> int:
    try:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return 0


# --- restore ----------------------------------------------------------------------------------


def run_restore(args: argparse.Namespace, settings: Settings) -> int:
    tr = translator(settings)
    media_dir: Path = settings.media_dir
    database = sqlite_path(settings.database_url)
    if media_dir.exists() and (not media_dir.is_dir() or any(media_dir.iterdir())):
        print(tr.t("cli.restore.not_empty", path=media_dir), file=sys.stderr)
        return 2
    if database is not None and database.exists():
        print(tr.t("cli.restore.not_empty", path=database), file=sys.stderr)
        return 2
    if database is None:
        problem = asyncio.run(backup_pg.not_empty(settings.database_url))
        if problem is not None:
            print(tr.t(problem, url=backup_pg.masked(settings.database_url)), file=sys.stderr)
            return 2
    place = media_dir.parent if database is None else database.parent
    place.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".aduan-restore-", dir=place) as work:
        unpacked = Path(work)
        try:
            manifest = read_archive(args.archive, unpacked)
        except ArchiveError as error:
            print(tr.t(error.key, **error.values), file=sys.stderr)
            return 2
        wanted = "sqlite" if database is not None else "postgresql"
        if manifest.engine != wanted:
            print(
                tr.t("cli.restore.other_engine", found=manifest.engine, wanted=wanted),
                file=sys.stderr,
            )
            return 2
        repoint = repoint_sql(manifest.media_dir, str(media_dir))
        # The media first, the database last: a database that is there is a whole restore.
        if database is not None:
            staged = _stage_sqlite(unpacked / SQLITE_MEMBER, database, repoint)
            _place_media(unpacked / MEDIA, media_dir)
            staged.replace(database)
        else:
            _place_media(unpacked / MEDIA, media_dir)
            problem = backup_pg.load(
                settings.database_url, unpacked / SQL_MEMBER, [repoint, FORGET_LEASES]
            )
            if problem is not None:
                shutil.rmtree(media_dir, ignore_errors=True)  # it was empty or missing
                print(tr.t("cli.restore.pg_failed", reason=problem), file=sys.stderr)
                return 2
    print(tr.t("cli.restore.done", created=manifest.created_at, **_count_words(manifest.counts)))
    return 0


def _stage_sqlite(copy: Path, database: Path, repoint: str) -> Path:
    """The restored database beside its final name (one rename puts it in place)."""
    connection = sqlite3.connect(copy)
    try:
        with connection:
            connection.execute(repoint)
            connection.execute(FORGET_LEASES)
    finally:
        connection.close()
    staged = database.with_name(f".{database.name}.restoring")
    shutil.move(copy, staged)
    return staged


def _place_media(unpacked: Path, media_dir: Path) -> None:
    if not unpacked.is_dir():
        media_dir.mkdir(parents=True, exist_ok=True)
        return
    with contextlib.suppress(FileNotFoundError):
        media_dir.rmdir()  # checked empty above
    media_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(unpacked, media_dir)
