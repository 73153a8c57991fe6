"""The layers' import rules (ARCHITECTURE.md), checked on the source: core stays pure."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: What core may import besides the standard library: itself, lokal's regions, and the national
#: holidays for the years lokal does not cover (pure data; see core/calendar.py).
CORE_MAY_IMPORT = frozenset({"core", "lokal", "holidays"})


def imported_packages(path: Path) -> set[str]:
    """Top-level package names a module imports (relative imports count as its own package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("core" if node.level else (node.module or "").partition(".")[0])
    return names


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
