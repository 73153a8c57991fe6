"""The layers' import rules (ARCHITECTURE.md), checked on the source: core stays pure, the use
cases (``cases``) stand on core and storage only, and nothing below them reaches up to them; the
web doors never import the conversations (``handlers``)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: What core may import besides the standard library: itself, lokal's regions, and the national
#: holidays for the years lokal does not cover (pure data; see core/calendar.py).
CORE_MAY_IMPORT = frozenset({"core", "lokal", "holidays"})
#: What the use cases may import besides the standard library (docs/cases.md).
CASES_MAY_IMPORT = frozenset({"cases", "core", "storage"})


def imported_packages(path: Path, own: str = "core") -> set[str]:
    """Top-level package names a module imports, at any depth of the module (relative imports
    count as its own package, ``own``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(own if node.level else (node.module or "").partition(".")[0])
    return names


def importing(folder: str, package: str) -> list[str]:
    """The modules under ``folder`` that import ``package``."""
    return [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / folder).rglob("*.py"))
        if package in imported_packages(path, own=folder)
    ]


def test_core_imports_only_the_standard_library_and_lokal() -> None:
    found = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in imported_packages(path)
            if name not in sys.stdlib_module_names and name not in CORE_MAY_IMPORT
        )
        for path in sorted((ROOT / "core").rglob("*.py"))
    }
    assert {module: names for module, names in found.items() if names} == {}
    assert "core/unit_files.py" in found  # the unit files' rules live here, without PyYAML


def test_cases_import_only_core_storage_and_the_standard_library() -> None:
    found = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in imported_packages(path, own="cases")
            if name not in sys.stdlib_module_names and name not in CASES_MAY_IMPORT
        )
        for path in sorted((ROOT / "cases").rglob("*.py"))
    }
    assert {module: names for module, names in found.items() if names} == {}
    assert "cases/filing.py" in found


def test_core_and_storage_never_import_the_use_cases() -> None:
    assert importing("core", "cases") == []
    assert importing("storage", "cases") == []


def test_web_never_imports_the_conversations() -> None:
    assert importing("web", "handlers") == []
    assert importing("web", "cases")  # Open311 files through the use case itself


def test_the_rules_see_an_import_written_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "door.py"
    module.write_text("def build():\n    from handlers.notices import filing_for\n")
    assert "handlers" in imported_packages(module, own="web")
