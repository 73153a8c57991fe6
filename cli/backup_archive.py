"""The backup archive of ``aduan backup`` / ``aduan restore``: one gzipped tar holding
``manifest.json``, the database (``database.sqlite3`` or ``database.sql``) and ``media/…``.

The manifest names the format, when and from which engine and schema the copy was made, the
media folder the stored photo paths point into, how many rows the main tables held, and the
SHA-256 of every other member; reading an archive checks all of it before anything is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

FORMAT = "kanal-aduan-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
SQLITE_MEMBER = "database.sqlite3"
SQL_MEMBER = "database.sql"

#: Tables whose row counts the manifest keeps (and ``aduan restore`` prints).
COUNTED = ("reports", "report_photos", "citizens", "outbox", "inbox")


class ArchiveError(Exception):
    """The file is no Kanal Aduan backup, or a damaged one (``key`` is the locale key)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass
class Manifest:
    engine: str
    schema: str
    media_dir: str
    created_at: str
    counts: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> bytes:
        body: dict[str, Any] = {"format": FORMAT, "version": VERSION, **self.__dict__}
        return json.dumps(body, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            body = json.loads(raw)
            if body.get("format") != FORMAT:
                raise ArchiveError("cli.restore.foreign")
            if body.get("version") != VERSION:
                raise ArchiveError("cli.restore.version", version=body.get("version"))
            return cls(
                engine=str(body["engine"]),
                schema=str(body["schema"]),
                media_dir=str(body["media_dir"]),
                created_at=str(body["created_at"]),
                counts={str(k): int(v) for k, v in body["counts"].items()},
                files={str(k): str(v) for k, v in body["files"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ArchiveError("cli.restore.foreign") from error


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_files(media_dir: Path) -> Iterator[tuple[str, Path]]:
    """(member name, path) of every file under the media folder (none when it is missing)."""
    if not media_dir.is_dir():
        return
    for path in sorted(media_dir.rglob("*")):
        if path.suffix == ".part":  # being written (storage.media_store.write_atomically)
            continue
        if path.is_file() and not path.is_symlink():
            yield f"{MEDIA}/{path.relative_to(media_dir).as_posix()}", path


def write_archive(target: Path, manifest: Manifest, members: list[tuple[str, Path]]) -> None:
    """Write the archive to a temporary file beside ``target``, then rename it into place: a
    reader never finds a half-written backup under the name it asked for."""
    kept: list[tuple[str, Path]] = []
    for name, path in members:
        try:
            manifest.files[name] = sha256_of(path)
        except FileNotFoundError:
            continue  # removed since it was listed (a file being replaced)
        kept.append((name, path))
    members = kept
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            info = tarfile.TarInfo(MANIFEST)
            content = manifest.as_json()
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
            for name, path in members:
                archive.add(path, arcname=name, recursive=False)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def read_archive(source: Path, into: Path) -> Manifest:
    """Check ``source`` and unpack its members into the folder ``into``: the manifest first,
    then every member against its checksum. Raises :class:`ArchiveError` for a file that is no
    backup of ours or is damaged; nothing outside ``into`` is written."""
    try:
        with tarfile.open(source, mode="r:gz") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise ArchiveError("cli.restore.foreign")
            manifest_file = archive.extractfile(first)
            assert manifest_file is not None
            manifest = Manifest.from_json(manifest_file.read())
            seen: set[str] = set()
            for member in archive:
                if member.name == MANIFEST and member.offset == first.offset:
                    continue  # iterating starts again at the first member
                if not member.isfile() or not _safe_name(member.name):
                    raise ArchiveError("cli.restore.foreign")
                expected = manifest.files.get(member.name)
                if expected is None:
                    raise ArchiveError("cli.restore.corrupt", name=member.name)
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                content = archive.extractfile(member)
                assert content is not None
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while block := content.read(1 << 20):
                        digest.update(block)
                        out.write(block)
                if digest.hexdigest() != expected:
                    raise ArchiveError("cli.restore.corrupt", name=member.name)
                seen.add(member.name)
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as error:
        if isinstance(error, FileNotFoundError) and error.filename == str(source):
            raise ArchiveError("cli.restore.missing", path=source) from error
        raise ArchiveError("cli.restore.corrupt", name=source.name) from error
    missing = set(manifest.files) - seen
    if missing:
        raise ArchiveError("cli.restore.corrupt", name=sorted(missing)[0])
    return manifest
