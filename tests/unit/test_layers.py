"""The layers' import rules (ARCHITECTURE.md, docs/layout.md), checked on the source: one table
says which top-level folder may import which, every import outside it fails, and the table has
no cycle. Core stays pure; the use cases (``cases``) stand on core and storage only; the web
doors never import the conversations (``handlers``); the runtime never imports the emulator or
a door; and the ``aduan`` command line (``cli``) is imported by nothing but the tests."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: What core may import besides the standard library: itself, lokal's regions, and the national
#: holidays for the years lokal does not cover (pure data; see core/calendar.py).
CORE_MAY_IMPORT = frozenset({"core", "lokal", "holidays"})
#: What the use cases may import besides the standard library (docs/cases.md).
CASES_MAY_IMPORT = frozenset({"cases", "core", "storage"})

#: Who may import whom among the project's top-level folders (besides itself). A folder missing
#: here fails the test below: a new folder takes its place in the table first.
MAY_IMPORT: dict[str, frozenset[str]] = {
    # the domain: pure rules, and the catalogues of words
    "core": frozenset(),
    "locales": frozenset(),
    # persistence, then the use cases on it
    "storage": frozenset({"core"}),
    "cases": frozenset({"core", "storage"}),
    # the conversations (channel-neutral)
    "handlers": frozenset({"core", "storage", "cases", "locales"}),
    # the Telegram adapters: the conversations' events and actions to and from the Bot API
    "bot": frozenset({"core", "storage", "handlers", "locales"}),
    # the loopback Telegram Bot API: stands alone (the sandbox, tests and bench use it)
    "emulator": frozenset(),
    # inbox, outbox, pacing, leader, webhook, workers, the reminder loop, settings, clock
    "runtime": frozenset({"core", "storage", "cases", "handlers", "locales", "bot"}),
    # the console, Open311 and the training sandbox (which runs the runtime on the emulator)
    "web": frozenset({"core", "storage", "cases", "locales", "runtime", "emulator"}),
    # the door at the top: imports anything, imported by nothing
    "cli": frozenset(
        {"core", "storage", "cases", "handlers", "locales", "bot", "emulator", "runtime", "web"}
    ),
    # the benchmarks start the command as a process; they never import it
    "bench": frozenset(
        {"core", "storage", "cases", "handlers", "locales", "bot", "emulator", "runtime", "web"}
    ),
    "tests": frozenset(
        {"core", "storage", "cases", "handlers", "locales", "bot", "emulator", "runtime", "web"}
        | {"cli", "bench"}
    ),
}


def top_level_folders() -> set[str]:
    """Every package at the root of the project (a folder with an ``__init__.py``)."""
    return {path.name for path in ROOT.iterdir() if (path / "__init__.py").is_file()}


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


# --- migrations: frozen copies, never the live program -----------------------------------------

MIGRATIONS = ROOT / "storage" / "migrations"
#: What a migration (and Alembic's env.py) may import besides the standard library: SQLAlchemy,
#: Alembic, and the holiday data the frozen working-day calendar of 0008 reads.
MIGRATION_MAY_IMPORT = frozenset({"sqlalchemy", "alembic", "lokal", "holidays"})
#: Standard-library modules that open the process environment or import code by name.
MIGRATION_MAY_NOT_IMPORT = frozenset({"os", "importlib", "runpy"})
#: Names through which a module would read settings or the environment.
SETTINGS_NAMES = frozenset(
    {"environ", "getenv", "environb", "Settings", "dotenv_values", "load_dotenv", "__import__"}
)
#: The project's own top-level packages and modules (every folder or module at the root).
PROJECT = frozenset(
    path.stem for path in ROOT.iterdir() if path.suffix == ".py" or (path / "__init__.py").is_file()
) | set(MAY_IMPORT)


def migration_files() -> list[Path]:
    files = sorted((MIGRATIONS / "versions").glob("0*.py"))
    assert len(files) >= 12  # every revision is looked at, not none
    return [MIGRATIONS / "env.py", *files]


def what_reads_the_live_program(path: Path) -> list[str]:
    """The imports and names of ``path`` through which it would depend on the live program or
    its settings (empty: it is frozen)."""
    found: list[str] = []
    for name in sorted(imported_packages(path)):
        allowed = name in sys.stdlib_module_names or name in MIGRATION_MAY_IMPORT
        if name in PROJECT or name in MIGRATION_MAY_NOT_IMPORT or not allowed:
            found.append(f"imports {name}")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Name) and node.id in SETTINGS_NAMES:
            found.append(f"uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in SETTINGS_NAMES:
            found.append(f"uses .{node.attr}")
        elif isinstance(node, ast.alias) and node.name.rpartition(".")[2] in SETTINGS_NAMES:
            found.append(f"imports {node.name}")
        elif isinstance(node, ast.Constant) and str(node.value).strip().endswith(".env"):
            found.append(f"names {str(node.value).strip()!r}")
    return sorted(set(found))


def test_migrations_carry_frozen_copies_and_read_no_settings() -> None:
    """A migration means what it meant when it was written: it imports no project code (core,
    storage.models, bot, ...) and reads no settings, environment or ``.env``; Alembic's env.py
    reads only the database URL storage.db hands it."""
    found = {
        str(path.relative_to(ROOT)): what_reads_the_live_program(path) for path in migration_files()
    }
    assert {module: names for module, names in found.items() if names} == {}


def test_the_frozen_check_finds_a_live_import_and_a_setting(tmp_path: Path) -> None:
    sample = tmp_path / "0099_sample.py"
    sample.write_text(
        "import os\nfrom dotenv import dotenv_values\nfrom core.performance import moments\n"
        "from storage.models import Base\nTZ = os.environ.get('TIMEZONE')\n"
        "VALUES = dotenv_values('.env')\n",
        encoding="utf-8",
    )
    assert what_reads_the_live_program(sample) == [
        "imports core",
        "imports dotenv",
        "imports dotenv_values",
        "imports os",
        "imports storage",
        "names '.env'",
        "uses .environ",
        "uses dotenv_values",
    ]


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


# --- the table of directions between top-level folders ----------------------------------------


def imports_outside_the_table(root: Path, table: dict[str, frozenset[str]]) -> dict[str, list[str]]:
    """Each module under ``root`` that imports a project folder its own folder may not import,
    with those folders."""
    project = set(table)
    found: dict[str, list[str]] = {}
    for folder, allowed in table.items():
        for path in sorted((root / folder).rglob("*.py")):
            wrong = (imported_packages(path, own=folder) & project) - allowed - {folder}
            if wrong:
                found[str(path.relative_to(root))] = sorted(wrong)
    return found


def cycle_in(table: dict[str, frozenset[str]]) -> list[str]:
    """A cycle of the table's directions (empty: none), found by depth-first search."""
    done: set[str] = set()

    def visit(folder: str, path: list[str]) -> list[str]:
        if folder in path:
            return [*path[path.index(folder) :], folder]
        if folder in done:
            return []
        for other in sorted(table.get(folder, frozenset())):
            if found := visit(other, [*path, folder]):
                return found
        done.add(folder)
        return []

    for folder in sorted(table):
        if found := visit(folder, []):
            return found
    return []


def test_every_top_level_folder_has_its_row_in_the_table() -> None:
    assert top_level_folders() == set(MAY_IMPORT)


def test_every_import_between_folders_is_in_the_table() -> None:
    assert imports_outside_the_table(ROOT, MAY_IMPORT) == {}


def test_the_table_has_no_cycle() -> None:
    assert cycle_in(MAY_IMPORT) == []


def test_the_command_line_is_imported_by_nothing_but_the_tests() -> None:
    assert [folder for folder, allowed in MAY_IMPORT.items() if "cli" in allowed] == ["tests"]
    assert [folder for folder, allowed in MAY_IMPORT.items() if "tests" in allowed] == []


@pytest.mark.parametrize("folder", ["runtime", "bot", "handlers", "cases", "storage", "core"])
def test_what_the_bot_runs_never_reaches_the_emulator_or_a_door(folder: str) -> None:
    assert MAY_IMPORT[folder].isdisjoint({"emulator", "web", "cli", "bench", "tests"})


def test_the_table_check_finds_an_import_outside_it_and_a_cycle(tmp_path: Path) -> None:
    for folder in ("runtime", "emulator", "cli"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "runtime" / "worker.py").write_text(
        "import asyncio\nfrom runtime import clock\n\ndef later():\n    import emulator.state\n"
    )
    (tmp_path / "emulator" / "state.py").write_text("from cli.main import main\n")
    table = {"runtime": frozenset(), "emulator": frozenset(), "cli": frozenset({"runtime"})}
    assert imports_outside_the_table(tmp_path, table) == {
        "emulator/state.py": ["cli"],
        "runtime/worker.py": ["emulator"],
    }
    assert cycle_in({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"})}) == [
        "a",
        "b",
        "c",
        "a",
    ]
    assert cycle_in({"a": frozenset({"b"}), "b": frozenset(), "c": frozenset({"a", "b"})}) == []
