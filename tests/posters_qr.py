"""Reading a poster's QR code back with a real decoder: Debian's zbar (``zbarimg``) on the PNG,
and on the PDF's pages rendered to images by poppler (``pdftoppm``); .ci/run installs both."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

#: An A4 page's height in PDF points; a word of ``pdftotext -bbox``, its bottom edge and text.
A4_HEIGHT_PT = 841.89
_WORD = re.compile(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<')


def _needs(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is missing: apt-get install -y zbar-tools poppler-utils (.ci/run)")
    return found


def decode_png(path: Path) -> list[str]:
    """Every QR code's text in the image."""
    done = subprocess.run(
        [_needs("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return [line for line in done.stdout.splitlines() if line]


def decode_pdf(path: Path) -> list[list[str]]:
    """Per page of the PDF, its QR codes' texts."""
    stem = path.with_suffix("")
    subprocess.run(
        [_needs("pdftoppm"), "-r", "100", "-png", str(path), str(stem)],
        check=True,
        timeout=60,
    )
    pages = sorted(path.parent.glob(f"{stem.name}-*.png"))
    return [decode_png(page) for page in pages]


def pdf_text(pdf: Path, *options: str) -> str:
    """The PDF's text as poppler's pdftotext reads it (``-bbox``: each word with its box)."""
    command = [_needs("pdftotext"), *options, str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout


def lowest_word(pdf: Path) -> tuple[float, str]:
    """The lowest word's bottom edge on the PDF's page, in points, and the word."""
    boxes = pdf_text(pdf, "-bbox")
    words = [(float(y), word) for y, word in _WORD.findall(boxes)]
    assert words, boxes[:400]
    return max(words)
