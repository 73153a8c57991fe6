"""The public page's rows of ``python -m bench console`` (docs/public.md): each /publik page's
first answer (read from the database: the unit roll-up, the region roll-up, the map's capped
points, one report) and its answer kept in the process, and the pages never kept (a number
the public may not see; the reporter's own link)."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from core.public_key import report_key

Timed = Callable[..., Awaitable[Any]]


def numbers(path: Path) -> tuple[str, str]:
    """A verified biasa report's number (public) and an unverified one's (answered as hidden)."""
    con = sqlite3.connect(path)
    try:
        (shown,) = con.execute(
            "SELECT tracking_no FROM reports WHERE privacy = 'biasa'"
            " AND verified_on IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        hidden = con.execute(
            "SELECT tracking_no FROM reports WHERE verified_on IS NULL ORDER BY id LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    return str(shown), str(hidden[0]) if hidden else "AAAA-AAAA-A"


async def public_rows(
    client: TestClient[Any, Any],
    timed: Timed,
    repeat: int,
    *,
    path: Path,
    kecamatan: str,
    secret: bytes,
) -> list[Any]:
    def page(address: str, status: int = 200) -> Callable[[], Awaitable[str]]:
        async def call() -> str:
            response = await client.get(address)
            body = await response.read()
            if response.status != status:
                raise RuntimeError(f"{address}: HTTP {response.status}")
            return f"{len(body) // 1024:,} KiB"

        return call

    shown, hidden = numbers(path)
    kept = {
        "unit table": "/publik",
        "kabupaten's areas": "/publik/wilayah",
        "a kecamatan's desa": f"/publik/wilayah/{kecamatan}",
        "a kecamatan's map points": f"/publik/wilayah/{kecamatan}/titik",
        "a verified report's page": f"/publik/laporan/{shown}",
    }
    rows: list[Any] = []
    for name, address in kept.items():
        rows.append(await timed(f"publik, {name}, first answer", page(address), 1, warm=False))
        rows.append(await timed(f"publik, {name}, kept", page(address), repeat))
    rows.append(
        await timed(
            "publik, a hidden number (never kept)", page(f"/publik/laporan/{hidden}", 404), repeat
        )
    )
    own = f"/publik/laporan/{hidden}/{report_key(secret, hidden)}"
    rows.append(await timed("publik, the reporter's own link (never kept)", page(own), repeat))
    return rows
