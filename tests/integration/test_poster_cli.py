"""``aduan poster`` through the command's entry point: a desa's poster as PNG and every desa of a
kecamatan as one PDF, each QR code read back with zbar and naming its own desa; bad input (an
unknown code, PNG for many posters, no BOT_USERNAME) gets a clear answer and no file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cli.main import main
from core.posters import poster_code, start_link
from core.regions import RegionDirectory
from tests.databases import database_on, migrate_for_test
from tests.posters_qr import decode_pdf, decode_png

BOT = "kanal_aduan_test_bot"
BENGALON = "64.08.09"
SEPASO = "64.08.09.2001"


@pytest.fixture
async def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    async with database_on("sqlite", tmp_path) as found:
        await migrate_for_test(found)
        monkeypatch.chdir(tmp_path)  # no stray .env is read
        monkeypatch.setenv("DATABASE_URL", found)
        monkeypatch.setenv("REGION_CODE", "64.08")
        monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
        monkeypatch.setenv("BOT_USERNAME", BOT)
        yield found


async def aduan(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_a_desa_png_and_a_kecamatans_pdf_hold_each_desas_link(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "sepaso.png"
    assert await aduan("poster", "--desa", SEPASO, "--format", "png", "-o", str(png)) == 0
    assert decode_png(png) == [start_link(BOT, poster_code(SEPASO))]

    pdf = tmp_path / "bengalon.pdf"
    assert await aduan("poster", "--kecamatan", BENGALON, "-o", str(pdf)) == 0
    desa = sorted(r.code for r in RegionDirectory("64.08").children(BENGALON))
    assert len(desa) > 1
    assert decode_pdf(pdf) == [[start_link(BOT, poster_code(code))] for code in desa]
    assert f"{len(desa)} poster ditulis" in capsys.readouterr().err

    own = tmp_path / "kecamatan.png"
    argv = ("poster", "--kecamatan", BENGALON, "--kecamatan-poster", "--format", "png")
    assert await aduan(*argv, "-o", str(own)) == 0
    assert decode_png(own) == [start_link(BOT, poster_code(BENGALON))]


async def test_bad_input_gets_an_answer_and_no_file(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "x.pdf"
    assert await aduan("poster", "--desa", "64.08.09.9999", "-o", str(out)) == 2
    assert "bukan desa atau kecamatan" in capsys.readouterr().err
    assert await aduan("poster", "--desa", BENGALON, "-o", str(out)) == 2  # a kecamatan
    assert await aduan("poster", "--kecamatan", BENGALON, "--format", "png", "-o", str(out)) == 2
    assert "PNG hanya untuk satu poster" in capsys.readouterr().err
    monkeypatch.setenv("BOT_USERNAME", "")
    assert await aduan("poster", "--desa", SEPASO, "-o", str(out)) == 2
    assert "BOT_USERNAME belum diisi" in capsys.readouterr().err
    assert not out.exists()


async def test_with_whatsapp_each_page_holds_both_codes(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "1000001")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER", "+62 811 0000 1234")
    pdf = tmp_path / "bengalon-wa.pdf"
    assert await aduan("poster", "--kecamatan", BENGALON, "-o", str(pdf)) == 0
    desa = sorted(r.code for r in RegionDirectory("64.08").children(BENGALON))
    pages = decode_pdf(pdf)
    assert len(pages) == len(desa)
    for page, code in zip(pages, desa, strict=True):
        telegram = start_link(BOT, poster_code(code))
        (whatsapp,) = [link for link in page if link != telegram]
        assert telegram in page
        assert whatsapp.startswith("https://wa.me/6281100001234?text=")
        assert whatsapp.endswith(f"%28kode%20{poster_code(code)}%29")
