"""Ready answers' words (``core.templates``): fill-ins found, filled and checked at save."""

from __future__ import annotations

from core.templates import (
    FILL_INS,
    TEMPLATE_MAX,
    TITLE_MAX,
    Draft,
    fill,
    fill_ins,
    longest,
    parse,
    problem,
    unknown_fill_ins,
)


def test_fill_ins_are_found_and_filled() -> None:
    body = "Laporan {nomor} ({kategori}) di {desa}, paling lambat {tenggat}."
    assert fill_ins(body) == ["nomor", "kategori", "desa", "tenggat"]
    values = {"nomor": "AB12-CD34-5", "kategori": "Sampah", "desa": "Desa X", "tenggat": "9 Des"}
    assert fill(body, values) == "Laporan AB12-CD34-5 (Sampah) di Desa X, paling lambat 9 Des."
    assert fill("{ nomor }", values) == "AB12-CD34-5"  # spaces inside the braces are forgiven


def test_unknown_fill_ins_are_named_once_and_refused() -> None:
    body = "Halo {nama}, {nama} di {alamat} ({nomor})"
    assert unknown_fill_ins(body) == ["nama", "alamat"]
    assert problem(Draft("Judul", body)) == "unknown_fill_in"
    assert problem(Draft("Judul", "{nomor} {kategori} {desa} {tenggat}")) == ""


def test_length_is_checked_with_the_fill_ins_at_their_longest() -> None:
    assert longest("{desa}") == FILL_INS["desa"]
    fits = "x" * (TEMPLATE_MAX - FILL_INS["desa"]) + "{desa}"
    assert problem(Draft("Judul", fits)) == ""
    assert problem(Draft("Judul", fits + "x")) == "too_long"
    assert problem(Draft("J" * TITLE_MAX, "teks")) == ""
    assert problem(Draft("J" * (TITLE_MAX + 1), "teks")) == "title_long"


def test_the_command_s_words_are_title_words_and_category() -> None:
    assert parse(" Judul | Teks ") == Draft("Judul", "Teks", "")
    assert parse("Judul | Teks | Sampah") == Draft("Judul", "Teks", "sampah")
    assert parse("Judul | Teks | a | b") == Draft("Judul", "Teks", "a | b")  # no such category
    assert parse("Judul") is None
    assert parse("| Teks") is None
    assert parse("Judul |") is None
