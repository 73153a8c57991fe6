"""Every setting an operator can give is documented: in ``.env.example`` and in the README's table.

An IT officer installing the bot reads those two places only; a setting missing from either is one
they cannot discover.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


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


def _readme_table_names() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
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


def test_every_setting_is_in_the_readme_table() -> None:
    missing = [name for name in _environment_names() if name not in _readme_table_names()]
    assert missing == []


def test_the_readme_table_names_each_setting_once_and_only_real_ones() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    first_cells = [row.split("|")[1].strip() for row in rows]
    assert len(first_cells) == len(set(first_cells))
    assert _readme_table_names() <= set(_environment_names())
