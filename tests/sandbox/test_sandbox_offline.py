"""The sandbox's page works offline: every asset comes from the installed package, and no file
of the page names a host other than this machine."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from tests.sandbox.conftest import Site
from web.sandbox.server import STATIC_DIR

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"(?:https?:)?//([A-Za-z0-9.-]+)", re.IGNORECASE)
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
ASSET = re.compile(r'(?:src|href)="([^"#?]+)"')


def static_files() -> list[Path]:
    return sorted(p for p in STATIC_DIR.rglob("*") if p.is_file())


def test_no_static_file_names_an_external_host() -> None:
    texts = [p for p in static_files() if p.suffix in (".html", ".css", ".js")]
    assert {p.name for p in texts} == {"index.html", "sandbox.css", "sandbox.js"}
    for path in texts:
        text = path.read_text(encoding="utf-8")
        # Comments in JS/CSS may say "//"; only a host after http(s):// or a leading // counts.
        hosts = {h for h in URL.findall(text) if "." in h or h in LOCAL_HOSTS}
        assert hosts <= LOCAL_HOSTS, (path.name, hosts)
        assert "@import" not in text, path.name
        assert "url(http" not in text, path.name


def test_every_static_file_is_package_data() -> None:
    """A normal (not editable) install carries the page: pyproject lists every static file."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["web.sandbox"]
    package = STATIC_DIR.parent
    for path in static_files():
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative


async def test_the_page_and_each_asset_it_names_load_from_the_sandbox(site: Site) -> None:
    async with site.http.get(site.url + "/") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
    named = [a for a in ASSET.findall(page) if not a.startswith("data:")]
    # "/konsol" is a link to the console (a page of this machine), not an asset of the page.
    assert "/konsol" in named
    assets = [a for a in named if a != "/konsol"]
    assert set(assets) == {"/static/sandbox.css", "/static/sandbox.js"}
    state = await site.get("/api/state")
    assets += [s["url"] for s in state["samples"]]
    for asset in assets:
        assert asset.startswith("/static/"), asset
        async with site.http.get(site.url + asset) as response:
            assert response.status == 200, asset
            assert (STATIC_DIR / asset.removeprefix("/static/")).read_bytes() == (
                await response.read()
            )
