"""Peta: the list's reports on a map (``/peta``) and their points (``/peta/titik``), on a real
database (SQLite and PostgreSQL): the same filters as the list, only what the viewer may see,
no reporter in any point, a cap on the points, the tiles' host alone in the CSP's ``img-src``,
and a report's point on a small map of its page."""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import AsyncIterator
from dataclasses import replace
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import update

from runtime.settings import Settings
from storage.models import Report
from tests.integration.database import Database
from tests.integration.test_console import SECRET_NAME, SECRET_USERNAME, World, open_world, wita
from web.console import map_view
from web.console.tiles import tile_origin
from web.from_settings import console_config

MARCH = "dari=2026-03-01&sampai=2026-03-31"
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@pytest.fixture
async def mapped(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    world = await open_world(Database(database_url), tmp_path)
    yield world
    await world.db.engine.dispose()


async def _place(world: World, report_id: int, latitude: float, longitude: float) -> None:
    async with world.db.sessions() as session:
        await session.execute(
            update(Report)
            .where(Report.id == report_id)
            .values(latitude=latitude, longitude=longitude)
        )
        await session.commit()


async def _file_three(world: World) -> dict[str, str]:
    """Two reports at Sepaso with a point (one of them anonymous), a road report with a point
    (Dinas PUPR's), and one without a point."""
    sampah_id, sampah = await world.file(category="sampah")
    anon_id, anon = await world.file(
        category="sampah", privacy="anonim", name=SECRET_NAME, user="43"
    )
    road_id, road = await world.file(category="jalan", user="44")
    _, unplaced = await world.file(category="sampah", user="45")
    await _place(world, sampah_id, 0.7512, 117.5321)
    await _place(world, anon_id, 0.7601, 117.5402)
    await _place(world, road_id, 0.5003, 117.6104)
    world.clock.set(wita(3, 9, 10))
    return {"sampah": sampah, "anon": anon, "road": road, "unplaced": unplaced}


async def _json(client: Any, path: str, status: int = 200) -> Any:
    response = await client.get(path)
    assert response.status == status, await response.text()
    return await response.json()


async def test_the_map_shows_the_lists_located_reports_with_its_filters_and_names_nobody(
    mapped: World,
) -> None:
    numbers = await _file_three(mapped)
    coordinator = await mapped.client("diskominfo")
    desa = await mapped.client("desa-64-08-09-2001")
    try:
        every = await _json(coordinator, f"/peta/titik?{MARCH}")
        raw = await (await coordinator.get(f"/peta/titik?{MARCH}")).text()
        roads = await _json(coordinator, f"/peta/titik?{MARCH}&kategori=jalan")
        own = await _json(desa, f"/peta/titik?{MARCH}")
        refused = await desa.get(f"/peta/titik?{MARCH}&unit=dinas-pupr")
        bad = await _json(coordinator, f"/peta/titik?{MARCH}&status=hilang", status=400)
        listed = await (await coordinator.get(f"/laporan?{MARCH}&kategori=jalan")).text()
        page = await (await coordinator.get(f"/peta?{MARCH}&kategori=jalan")).text()
        wrong = await coordinator.get(f"/peta?{MARCH}&wilayah=Zzzzqq")
        wrong_page = await wrong.text()
    finally:
        await coordinator.close()
        await desa.close()
    assert (every["total"], len(every["points"]), every["capped"]) == (4, 3, False)
    assert {p[2] for p in every["points"]} == {numbers["sampah"], numbers["anon"], numbers["road"]}
    road = next(p for p in every["points"] if p[2] == numbers["road"])
    assert road[:3] == [0.5003, 117.6104, numbers["road"]]
    assert (every["categories"][road[3]], road[4]) == ("Jalan & Jembatan", "baru")
    # Nobody is named: no reporter's name, username or id is in the answer at all.
    for secret in (SECRET_NAME, SECRET_USERNAME, "Siti", '"43"'):
        assert secret not in raw
    assert [p[2] for p in roads["points"]] == [numbers["road"]]  # the list's filter applies
    # A desa sees its own reports only; another unit's filter is refused as on the list.
    assert {p[2] for p in own["points"]} == {numbers["sampah"], numbers["anon"]}
    assert refused.status == 403
    assert "hilang" in bad["error"]
    # A filter the map cannot apply shows the form again with why, as the list does.
    assert wrong.status == 400
    assert 'value="Zzzzqq"' in wrong_page
    assert 'role="alert"' in wrong_page
    assert 'id="map"' not in wrong_page
    # List and map link to each other with the same filters.
    kept = "/peta?kategori=jalan&amp;dari=2026-03-01&amp;sampai=2026-03-31"
    assert f'href="{kept}"' in listed
    assert 'href="/laporan?kategori=jalan&amp;dari=2026-03-01&amp;sampai=2026-03-31"' in page
    points = re.search(r'data-points="([^"]*)"', page)
    assert points
    assert html.unescape(points.group(1)) == (
        "/peta/titik?kategori=jalan&dari=2026-03-01&sampai=2026-03-31"
    )
    for key in ("baru", "diproses", "selesai"):  # the legend, in the list's status words
        assert f'<span class="pin pin-{key}"></span>' in page
    assert "Menunggu pelapor" in page


async def test_a_long_list_sends_only_the_first_points_and_says_so(
    mapped: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = await _file_three(mapped)
    monkeypatch.setattr(map_view, "MAX_POINTS", 2)
    coordinator = await mapped.client("diskominfo")
    try:
        newest = await _json(coordinator, f"/peta/titik?{MARCH}")
        oldest = await _json(coordinator, f"/peta/titik?{MARCH}&urut=lama")
    finally:
        await coordinator.close()
    assert (newest["total"], len(newest["points"]), newest["capped"]) == (4, 2, True)
    # The first of the list in its order: newest first, or oldest first when so sorted.
    assert [p[2] for p in newest["points"]] == [numbers["road"], numbers["anon"]]
    assert [p[2] for p in oldest["points"]] == [numbers["sampah"], numbers["anon"]]


async def test_a_report_page_shows_its_point_on_a_small_map_with_the_same_tiles(
    mapped: World,
) -> None:
    numbers = await _file_three(mapped)
    mapped.config = replace(mapped.config, map_tiles="", map_attribution="")
    coordinator = await mapped.client("diskominfo")
    try:
        located = await (await coordinator.get(f"/laporan/{numbers['road']}")).text()
        unplaced = await (await coordinator.get(f"/laporan/{numbers['unplaced']}")).text()
    finally:
        await coordinator.close()
    assert 'class="map small no-tiles"' in located
    assert 'data-point="0.500300,117.610400,baru"' in located
    assert 'data-tiles=""' in located
    assert '<script src="/static/vendor/leaflet/leaflet.js" defer></script>' in located
    assert 'id="map"' not in unplaced
    assert "leaflet.js" not in unplaced


async def test_the_csp_allows_images_from_the_tiles_host_only_and_scripts_from_the_console(
    mapped: World,
) -> None:
    with_tiles = await mapped.client("diskominfo")
    mapped.config = replace(mapped.config, map_tiles="", map_attribution="")
    without = await mapped.client("diskominfo")
    try:
        tiled = await with_tiles.get(f"/peta?{MARCH}")
        tiled_page = await tiled.text()
        plain = await without.get(f"/peta?{MARCH}")
        plain_page = await plain.text()
        script = await without.get("/static/map.js")
        leaflet = await without.get("/static/vendor/leaflet/leaflet.js")
        cluster = await without.get("/static/vendor/markercluster/leaflet.markercluster.js")
    finally:
        await with_tiles.close()
        await without.close()
    policy = tiled.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert f'data-tiles="{OSM}"' in tiled_page
    assert 'data-attribution="© OpenStreetMap contributors"' in tiled_page
    assert "img-src 'self' data:;" in plain.headers["Content-Security-Policy"]
    assert 'class="map big no-tiles"' in plain_page
    assert 'data-tiles=""' in plain_page
    for served in (script, leaflet, cluster):
        assert served.status == 200
    # The page holds no script of its own: every <script> names a file of the console.
    assert re.findall(r"<script[^>]*>([^<]+)</script>", plain_page) == []
    assert all(src.startswith("/static/") for src in re.findall(r'src="([^"]+)"', plain_page))


def test_the_tile_setting_defaults_to_openstreetmap_and_names_one_origin() -> None:
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    assert settings.map_tile_url == OSM
    config = console_config(settings)
    assert (config.map_tiles, config.map_attribution) == (OSM, "© OpenStreetMap contributors")
    empty = console_config(Settings(_env_file=None, bot_token=SecretStr("1:x"), map_tile_url=""))
    assert (empty.map_tiles, empty.map_attribution) == ("", "")
    assert tile_origin(OSM) == "https://tile.openstreetmap.org"
    assert tile_origin("https://{s}.tile.example.id/{z}/{x}/{y}.png") == "https://*.tile.example.id"
    assert tile_origin("  ") == ""
    for wrong in (
        "tile.openstreetmap.org/{z}/{x}/{y}.png",
        "javascript:alert(1)/{z}/{x}/{y}",
        "https://tile.example.id/tiles.png",
        "https://{z}.example.id/{z}/{x}/{y}.png",
        "https://a.example.id; script-src *;/{z}/{x}/{y}",
    ):
        with pytest.raises(ValueError, match="MAP_TILE_URL"):
            tile_origin(wrong)


def test_every_console_static_file_is_package_data() -> None:
    """A normal (not editable) install carries the map's files, vendored ones and licences."""
    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["web.console"]
    package = root / "web" / "console"
    files = sorted(p for p in (package / "static").rglob("*") if p.is_file())
    names = {p.relative_to(package).as_posix() for p in files}
    assert {"static/map.js", "static/vendor/leaflet/LICENSE"} <= names
    for name in names:
        assert any(fnmatch(name, pattern) for pattern in patterns), name
