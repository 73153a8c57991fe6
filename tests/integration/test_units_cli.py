"""``aduan units`` end to end through ``cli.main.main`` on a real SQLite file."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import cli.unit_files
import core.unit_files
import core.unit_import
from cli.main import main
from core.unit_files import KINDS
from locales import LANGUAGES, load_messages
from storage.db import create_engine, session_factory
from storage.models import BindingCode
from storage.unit_registry import normalise_binding_code
from storage.uow import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = database_url
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("REGION_CODE", "64.08")
    monkeypatch.setenv("TIMEZONE", "Asia/Makassar")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    return url


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(["units", *argv])
    return status, capsys.readouterr().out


def _bind(url: str, unit_code: str, chat_id: str, title: str) -> None:
    async def bind() -> None:
        engine = create_engine(url)
        try:
            async with UnitOfWork(session_factory(engine)) as uow:
                unit = await uow.units.by_code(unit_code)
                assert unit is not None
                await uow.units.bind(
                    unit.id,
                    channel="telegram",
                    chat_id=chat_id,
                    title=title,
                    by="42",
                    now=datetime.now(UTC),
                )
                await uow.commit()
        finally:
            await engine.dispose()

    asyncio.run(bind())


def _binding(url: str, code: str) -> BindingCode | None:
    async def find() -> BindingCode | None:
        engine = create_engine(url)
        try:
            async with UnitOfWork(session_factory(engine)) as uow:
                return await uow.units.binding_code(normalise_binding_code(code))
        finally:
            await engine.dispose()

    return asyncio.run(find())


def test_seed_twice_reports_counts_and_nothing_new(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = _run(capsys, "seed")
    assert status == 0
    assert "Kabupaten Kutai Timur" in out
    assert "170 unit baru" in out
    assert "1 koordinator, 10 OPD, 18 kecamatan, 141 desa/kelurahan" in out

    status, out = _run(capsys, "seed")
    assert status == 0
    assert "0 unit baru" in out
    assert "170 unit sudah ada" in out


def test_import_csv_then_errors_exit_1_and_name_the_line(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "seed")
    good = tmp_path / "units.csv"
    good.write_text(
        "code,name,kind,parent,area_code,show_officer_name\n"
        "dlh,Dinas Lingkungan Hidup,opd,,,ya\n"
        "desa-64-08-01-2001,Desa Senyiur Baru,,,,\n",
        encoding="utf-8",
    )
    status, out = _run(capsys, "import", str(good))
    assert status == 0
    assert "1 unit ditambahkan, 1 unit diubah, 0 unit tanpa perubahan" in out

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- code: dpmd\n  name: Dinas PMD\n  kind: opd\n  parent: dinas-tidak-ada\n",
        encoding="utf-8",
    )
    status, out = _run(capsys, "import", str(bad))
    assert status == 1
    assert "belum bisa diimpor" in out
    assert "Entri ke-1 (baris 1): unit induk dinas-tidak-ada tidak ada" in out

    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("code,name,kind\nx-1,X,opd\ny-2,Y,dinas\n", encoding="utf-8")
    status, out = _run(capsys, "import", str(bad_csv))
    assert status == 1
    assert 'Baris 3: jenis "dinas" tidak dikenal' in out

    status, out = _run(capsys, "list", "--kind", "opd")
    assert "dpmd" not in out
    assert "x-1" not in out
    assert "Dinas Lingkungan Hidup" in out


def test_import_of_a_missing_file_is_a_polite_error(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = _run(capsys, "import", str(tmp_path / "tidak-ada.csv"))
    assert status == 1
    assert "tidak bisa dibaca" in out
    assert "Traceback" not in out


def test_list_shows_which_units_have_a_group(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = _run(capsys, "list")
    assert (status, out.strip()) == (0, "Belum ada unit. Siapkan dulu dengan: aduan units seed")

    _run(capsys, "seed")
    _bind(database, "dinkes", "-100500", "Dinkes Kutim")
    _bind(database, "kec-64-08-01", "-100501", "Kec. Muara Ancalong")

    status, out = _run(capsys, "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[-1] == "2 dari 170 unit sudah punya grup."
    header, table = lines[0], lines[1:-1]
    assert header.split() == ["KODE", "JENIS", "NAMA", "INDUK", "GRUP"]
    assert len(table) == 170
    # Aligned: every row's kind and parent start where their column heading does.
    for column in ("JENIS", "INDUK", "GRUP"):
        start = header.index(column)
        assert all(row[start - 2 : start] == "  " and row[start] != " " for row in table), column
    dinkes = next(row for row in table if row.startswith("dinkes "))
    assert "Dinas Kesehatan" in dinkes
    assert "✅ 1: Dinkes Kutim" in dinkes
    pupr = next(row for row in table if row.startswith("dinas-pupr "))
    assert pupr.endswith("— belum ada grup")

    status, out = _run(capsys, "list", "--unbound")
    assert "dinkes " not in out
    assert "dinas-pupr " in out
    assert out.splitlines()[-1] == "2 dari 170 unit sudah punya grup."

    status, out = _run(capsys, "list", "--kind", "kecamatan", "--unbound")
    lines = out.splitlines()
    assert len(lines) == 1 + 17 + 1
    assert lines[-1] == "1 dari 18 unit sudah punya grup."


def test_code_prints_the_code_its_expiry_and_the_instruction(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "seed")
    before = datetime.now(UTC)
    status, out = _run(capsys, "code", "dinkes")
    assert status == 0
    match = re.search(r"Kirim /daftar ([A-Z2-9]{4}-[A-Z2-9]{4}) di grup unit tersebut", out)
    assert match is not None, out
    code = match.group(1)
    assert f"Kode pendaftaran untuk Dinas Kesehatan (dinkes): {code}" in out
    assert "(sebagai admin grup)" in out

    stored = _binding(database, code)
    assert stored is not None
    assert (
        before + timedelta(hours=48) <= stored.expires_at <= datetime.now(UTC) + timedelta(hours=48)
    )
    local = stored.expires_at.astimezone(ZoneInfo("Asia/Makassar"))
    assert f"{local:%H}.{local:%M} WITA" in out

    # A desa by its Kemendagri code works too; a different code each time.
    status, out = _run(capsys, "code", "64.08.01.2001")
    assert status == 0
    assert "(desa-64-08-01-2001)" in out
    assert code not in out


def test_code_for_an_unknown_unit_is_a_polite_error(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "seed")
    status, out = _run(capsys, "code", "dinas-rahasia")
    assert status == 1
    assert out.strip() == (
        "Maaf, unit dengan kode dinas-rahasia tidak ditemukan. "
        "Lihat daftar kode unit dengan: aduan units list"
    )


def test_english_when_it_is_the_default_language(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    _, out = _run(capsys, "seed")
    assert "170 new" in out
    _, out = _run(capsys, "code", "bpbd")
    assert "Send /daftar " in out
    assert "in the unit's group (as a group admin)." in out


def test_every_problem_and_kind_has_a_message() -> None:
    modules = (core.unit_files, core.unit_import, cli.unit_files)
    source = "".join(Path(str(m.__file__)).read_text(encoding="utf-8") for m in modules)
    keys = set(re.findall(r'[Pp]roblem\(\s*"([a-z_]+)"', source))
    assert len(keys) > 25
    wanted = {f"cli.units.problem.{key}" for key in keys}
    wanted |= {f"cli.units.kind.{kind}" for kind in KINDS}
    for language in LANGUAGES:
        missing = wanted - set(load_messages(language))
        assert not missing, (language, sorted(missing))
