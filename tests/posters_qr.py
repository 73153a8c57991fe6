"""Reading a poster's QR code back with a real decoder: Debian's zbar (``zbarimg``) on the PNG,
and on the PDF's pages rendered to images by poppler (``pdftoppm``); .ci/run installs both."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


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
