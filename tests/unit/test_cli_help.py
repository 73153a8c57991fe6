"""``aduan --help`` speaks the deployment's language (``DEFAULT_LANGUAGE``), Indonesian first."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cli import main as cli

ROOT = Path(__file__).resolve().parents[2]


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as ended:
        cli.main(argv)
    assert ended.value.code == 0
    return capsys.readouterr().out


def test_help_is_indonesian_by_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.delenv("DEFAULT_LANGUAGE", raising=False)
    text = _help(["--help"], capsys)
    assert "menjalankan bot (long polling" in text
    assert "menjalankan konsol koordinator (web)" in text
    export = _help(["export", "--help"], capsys)
    assert "hanya laporan unit ini (kecamatan: beserta desanya)" in export


def test_help_follows_default_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    text = _help(["units", "officers", "--help"], capsys)
    assert "name this user an officer" in text


def test_no_help_text_is_written_in_the_code() -> None:
    """Every ``help=``/``description=`` of the command line comes from the catalogues."""
    literal = []
    for path in sorted((ROOT / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg in ("help", "description") and isinstance(
                        keyword.value, ast.Constant
                    ):
                        literal.append(f"{path.name}:{node.lineno}")
    assert literal == []


def test_argparse_own_words_are_indonesian(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """argparse's headings and refusals are in the deployment's language too."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEFAULT_LANGUAGE", raising=False)
    text = _help(["--help"], capsys)
    assert text.startswith("Penggunaan: aduan")
    assert "tampilkan bantuan ini lalu keluar" in text
    assert "usage:" not in text
    assert "show this help" not in text
    with pytest.raises(SystemExit) as ended:
        cli.main(["lapor"])
    assert ended.value.code == 2
    error = capsys.readouterr().err
    assert "aduan: galat: argumen command: pilihan tidak dikenal: 'lapor'" in error
    with pytest.raises(SystemExit):
        cli.main(["units", "officers"])
    error = capsys.readouterr().err
    assert "argumen berikut wajib diisi" in error
    assert "error" not in error
    assert "required" not in error


def test_argparse_own_words_follow_default_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    assert _help(["--help"], capsys).startswith("Usage: aduan")
    with pytest.raises(SystemExit):
        cli.main(["lapor"])
    assert "aduan: error: argument command: invalid choice: 'lapor'" in capsys.readouterr().err
