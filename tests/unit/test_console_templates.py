"""The console's HTML comes from its templates, autoescaped; its Python builds no markup."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from web.console.templating import ENVIRONMENT, TEMPLATES

CONSOLE = Path(__file__).resolve().parents[2] / "web" / "console"
#: A string literal that opens a tag: markup written in Python.
_TAG_IN_STRING = re.compile(r"""(?:^|[^\w])[rfbu]{0,2}["']<[a-zA-Z/!]""")


def test_values_are_escaped() -> None:
    shown = ENVIRONMENT.from_string('<p title="{{ v }}">{{ v }}</p>').render(v='"><script>')
    assert "<script>" not in shown
    assert '"><' not in shown


def test_every_template_compiles() -> None:
    names = sorted(p.name for p in TEMPLATES.glob("*.html"))
    assert {"base.html", "macros.html", "report.html"} <= set(names)
    for name in names:
        ENVIRONMENT.get_template(name)


def test_no_markup_in_the_console_python() -> None:
    found = [
        f"{path.name}:{n}"
        for path in sorted(CONSOLE.glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _TAG_IN_STRING.search(line)
    ]
    assert found == []


def test_the_guard_sees_markup() -> None:
    assert _TAG_IN_STRING.search("""    body = f'<div class="notice">'""")


def test_templates_ship_in_the_package() -> None:
    """``pip install .`` copies what pyproject's package-data names: every template must match."""
    with (CONSOLE.parents[1] / "pyproject.toml").open("rb") as file:
        package_data = tomllib.load(file)["tool"]["setuptools"]["package-data"]
    globs = [*package_data.get("web.console", []), *package_data.get("*", [])]
    for path in TEMPLATES.rglob("*"):
        if path.is_file():
            inside = path.relative_to(CONSOLE)
            assert any(inside.match(glob) for glob in globs), inside
