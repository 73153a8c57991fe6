"""``aduan backup``, ``aduan restore`` and ``aduan audit export`` given bad input, through the
command's entry point in this process: each gets a clear answer and nothing half-written is
left. The round trip beside a running bot is tests/e2e/test_backup_restore.py."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cli.main import main
from storage.console.sessions import audit
from storage.db import create_engine, session_factory
from tests.databases import database_on, migrate_for_test


def use(monkeypatch: pytest.MonkeyPatch, folder: Path, url: str, media: Path) -> None:
    monkeypatch.chdir(folder)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MEDIA_DIR", str(media))
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    monkeypatch.setenv("TIMEZONE", "Asia/Makassar")


async def aduan(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


async def write_audit(url: str) -> None:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            for at, action, subject, name in (
                (datetime(2026, 12, 1, 15, 59, tzinfo=UTC), "view", "AAAA-BBBB-1", "Before"),
                (datetime(2026, 12, 1, 16, 0, tzinfo=UTC), "login", "", "Budi"),
                (datetime(2026, 12, 2, 3, 0, tzinfo=UTC), "export", "=HYPERLINK(1)", "Ani"),
                (datetime(2026, 12, 3, 16, 0, tzinfo=UTC), "view", "CCCC-DDDD-2", "After"),
            ):
                audit(session, now=at, action=action, subject=subject, user_id="77", user_name=name)
            await session.commit()
    finally:
        await engine.dispose()


async def test_the_access_log_of_two_local_days_as_csv(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await migrate_for_test(database_url)
    await write_audit(database_url)
    use(monkeypatch, tmp_path, database_url, tmp_path / "media")
    out = tmp_path / "jejak.csv"
    # WITA is UTC+8: 2 and 3 December run from 1 Dec 16:00 UTC to 3 Dec 16:00 UTC.
    assert (
        await aduan("audit", "export", "--from", "2026-12-02", "--to", "2026-12-03", "-o", str(out))
        == 0
    )
    assert "2 catatan akses" in capsys.readouterr().err
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == [
        "at",
        "unit",
        "user_id",
        "user_name",
        "action",
        "subject",
        "session_id",
        "address",
    ]
    assert [(r[0], r[3], r[4], r[5]) for r in rows[1:]] == [
        ("2026-12-02T00:00:00+08:00", "Budi", "login", ""),
        ("2026-12-02T11:00:00+08:00", "Ani", "export", "'=HYPERLINK(1)"),  # data, not a formula
    ]
    assert listing(tmp_path).count("jejak.csv.part") == 0

    # To the screen when no file is named.
    assert await aduan("audit", "export", "--from", "2026-12-05", "--to", "2026-12-05") == 0
    assert (
        capsys.readouterr().out.strip()
        == "at,unit,user_id,user_name,action,subject,session_id,address"
    )


@pytest.mark.parametrize(
    ("first", "last", "said"),
    [
        (
            "2026-13-01",
            "2026-12-03",
            'Tanggal "2026-13-01" tidak dikenali. Tulis sebagai TTTT-BB-HH',
        ),
        ("2026-12-01", "3/12/2026", 'Tanggal "3/12/2026" tidak dikenali'),
        ("2026-12-05", "2026-12-01", "Tanggal akhir 2026-12-01 lebih awal dari tanggal mulai"),
    ],
)
def test_dates_in_the_wrong_form_are_refused_and_no_file_is_written(
    first: str,
    last: str,
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", tmp_path / "media")
    assert main(["audit", "export", "--from", first, "--to", last, "-o", "x.csv"]) == 2
    assert said in capsys.readouterr().err
    assert listing(tmp_path) == []


def make_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small SQLite install (a migrated database, one photo and one being written, in a
    folder whose name needs quoting in a URI) and its backup."""
    source = tmp_path / "asal data#1"
    (source / "media" / "1").mkdir(parents=True)
    (source / "media" / "1" / "0-x.jpg").write_bytes(b"\xff\xd8 not much of a photo")
    (source / "media" / "1" / "1-y.jpg.part").write_bytes(b"\xff\xd8 half")
    url = f"sqlite+aiosqlite:///{source / 'aduan.db'}"
    asyncio.run(migrate_for_test(url))
    use(monkeypatch, source, url, source / "media")
    archive = tmp_path / "cadangan.tar.gz"
    assert main(["backup", "-o", str(archive)]) == 0
    return archive


def test_restore_refuses_a_place_that_holds_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_backup(tmp_path, monkeypatch)
    target = tmp_path / "tujuan"
    (target / "media").mkdir(parents=True)
    (target / "media" / "milik-orang-lain.jpg").write_bytes(b"keep me")
    use(monkeypatch, target, f"sqlite+aiosqlite:///{target / 'aduan.db'}", target / "media")
    capsys.readouterr()
    assert main(["restore", str(archive)]) == 2
    assert (
        "sudah berisi data. Pemulihan hanya dilakukan ke tempat yang kosong"
        in capsys.readouterr().err
    )
    assert listing(target) == ["media", "media/milik-orang-lain.jpg"]

    (target / "media" / "milik-orang-lain.jpg").unlink()
    (target / "aduan.db").write_bytes(b"")  # an existing database file, even an empty one
    assert main(["restore", str(archive)]) == 2
    assert "aduan.db sudah berisi data" in capsys.readouterr().err


def test_restore_refuses_foreign_and_damaged_archives_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_backup(tmp_path, monkeypatch)
    good = archive.read_bytes()
    foreign = tmp_path / "lain.tar.gz"
    with tarfile.open(foreign, "w:gz") as other:
        info = tarfile.TarInfo("manifest.json")
        body = json.dumps({"format": "something-else"}).encode()
        info.size = len(body)
        other.addfile(info, io.BytesIO(body))
    truncated = tmp_path / "terpotong.tar.gz"
    truncated.write_bytes(good[: len(good) // 2])
    text_file = tmp_path / "catatan.txt"
    text_file.write_text("bukan arsip", encoding="utf-8")
    # A member changed after the manifest was written: its checksum no longer matches.
    tampered = tmp_path / "diubah.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as out:
        for member in source:
            data = source.extractfile(member)
            content = data.read() if data else b""
            if member.name.startswith("media/"):
                content = content.replace(b"photo", b"PHOTO")
            out.addfile(member, io.BytesIO(content))

    target = tmp_path / "tujuan"
    use(monkeypatch, tmp_path, f"sqlite+aiosqlite:///{target / 'aduan.db'}", target / "media")
    capsys.readouterr()
    for path, said in (
        (foreign, "bukan arsip cadangan Kanal Aduan"),
        (text_file, "Arsip rusak atau tidak lengkap"),
        (truncated, "Arsip rusak atau tidak lengkap"),
        (tampered, "Arsip rusak atau tidak lengkap (media/1/0-x.jpg)"),
        (tmp_path / "tidak-ada.tar.gz", "tidak-ada.tar.gz tidak ditemukan"),
    ):
        assert main(["restore", str(path)]) == 2, path
        assert said in capsys.readouterr().err, path
        assert listing(target) == [], path  # no database, no photo, no temporary folder

    assert main(["restore", str(archive)]) == 0
    assert listing(target) == ["aduan.db", "media", "media/1", "media/1/0-x.jpg"]


def test_a_backup_needs_a_folder_it_can_write_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_backup(tmp_path, monkeypatch)
    capsys.readouterr()
    assert main(["backup", "-o", str(tmp_path / "tidak-ada" / "c.tar.gz")]) == 2
    assert "tidak-ada tidak ada. Buat dulu foldernya" in capsys.readouterr().err
    # /proc takes no new files, not even from root.
    assert main(["backup", "-o", "/proc/cadangan.tar.gz"]) == 2
    assert "Tidak bisa menulis /proc/cadangan.tar.gz" in capsys.readouterr().err

    use(monkeypatch, tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'belum.db'}", tmp_path / "m")
    assert main(["backup", "-o", str(tmp_path / "c.tar.gz")]) == 2
    assert "belum.db tidak ada: tidak ada yang bisa dicadangkan" in capsys.readouterr().err
    assert not (tmp_path / "c.tar.gz").exists()


async def test_restore_refuses_a_database_that_has_tables_or_another_engine(
    database_url: str,
    engine_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = await asyncio.to_thread(make_backup, tmp_path, monkeypatch)  # a SQLite backup
    await migrate_for_test(database_url)
    use(monkeypatch, tmp_path, database_url, tmp_path / "kosong")
    capsys.readouterr()
    assert await aduan("restore", str(archive)) == 2
    said = capsys.readouterr().err
    if engine_name == "sqlite":
        assert "aduan.db sudah berisi data" in said
    else:
        assert "sudah berisi tabel. Pemulihan hanya dilakukan ke basis data kosong" in said
        assert "password" not in said
    assert not (tmp_path / "kosong").exists()


@pytest.mark.postgresql
async def test_a_sqlite_backup_is_not_restored_into_postgresql(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = await asyncio.to_thread(make_backup, tmp_path, monkeypatch)
    async with database_on("postgresql", tmp_path) as url:
        use(monkeypatch, tmp_path, url, tmp_path / "kosong")
        capsys.readouterr()
        assert await aduan("restore", str(archive)) == 2
        assert "berisi basis data sqlite, sedangkan DATABASE_URL menunjuk ke postgresql" in (
            capsys.readouterr().err
        )
        assert not (tmp_path / "kosong").exists()


def test_notify_refuses_a_list_without_numbers_and_an_empty_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use(monkeypatch, tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", tmp_path / "media")
    (tmp_path / "kosong.txt").write_text("# belum ada nomor\n\n", encoding="utf-8")
    (tmp_path / "nomor.txt").write_text("AAAA-BBBB-1\n", encoding="utf-8")
    (tmp_path / "teks.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "biner.txt").write_bytes(b"\xff\xfe\x00")
    for argv, said in (
        (["--reports", "kosong.txt"], "kosong.txt tidak berisi nomor laporan"),
        (["--reports", "nomor.txt", "--text", "teks.txt"], "teks.txt kosong. Tidak ada yang"),
        (["--reports", "biner.txt"], "biner.txt tidak bisa dibaca"),
        (["--reports", "tidak-ada.txt"], "tidak-ada.txt tidak bisa dibaca"),
    ):
        assert main(["notify", *argv]) == 2, argv
        assert said in capsys.readouterr().err, argv
    assert listing(tmp_path) == ["biner.txt", "kosong.txt", "nomor.txt", "teks.txt"]
