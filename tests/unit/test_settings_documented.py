"""Every setting an operator can give is documented: in ``.env.example`` and in the settings table.

An IT officer installing the bot reads those two places only (``.env.example`` and
``docs/settings.md``, which the README points to); a setting missing from either is one they cannot
discover, and a row naming a setting that does not exist misleads them.
"""

from __future__ import annotations

import re
from pathlib import Path

from runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DOC = ROOT / "docs" / "settings.md"


def _environment_names() -> list[str]:
    return sorted(name.upper() for name in Settings.model_fields)


def _expand(cell: str) -> set[str]:
    """``RESOLVE_{A,B}_DAYS`` → ``RESOLVE_A_DAYS``, ``RESOLVE_B_DAYS``."""
    match = re.search(r"\{([A-Z0-9_,]+)\}", cell)
    if match is None:
        return {cell}
    names: set[str] = set()
    for part in match.group(1).split(","):
        names |= _expand(cell[: match.start()] + part + cell[match.end() :])
    return names


def _table_rows() -> list[str]:
    text = SETTINGS_DOC.read_text(encoding="utf-8")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `")]


def _table_names() -> set[str]:
    names: set[str] = set()
    for line in _table_rows():
        first_cell = line.split("|")[1]
        for quoted in re.findall(r"`([A-Z0-9_{},]+)`", first_cell):
            names |= _expand(quoted)
    return names


def _env_example_names() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))


def test_every_setting_is_in_env_example() -> None:
    missing = [name for name in _environment_names() if name not in _env_example_names()]
    assert missing == []


def test_every_setting_is_in_the_settings_table() -> None:
    missing = [name for name in _environment_names() if name not in _table_names()]
    assert missing == []


def test_the_settings_table_names_each_setting_once_and_only_real_ones() -> None:
    first_cells = [row.split("|")[1].strip() for row in _table_rows()]
    assert len(first_cells) == len(set(first_cells))
    assert _table_names() <= set(_environment_names())


def test_env_example_names_only_real_settings() -> None:
    assert _env_example_names() <= set(_environment_names())


def test_the_readme_points_to_the_settings_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/settings.md" in readme
