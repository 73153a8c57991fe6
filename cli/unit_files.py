"""Reading a coordinator's unit file from disk for ``aduan units import``: CSV or YAML.

The edge of :mod:`core.unit_files`: this module opens the file and loads YAML (PyYAML), so the
rules for rows stay pure and are tested without files or a database.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from core.unit_files import Problem, UnitFileError, UnitRow, rows_from_csv, rows_from_entries

SUFFIXES = (".csv", ".yaml", ".yml")


def parse_unit_file(path: Path) -> list[UnitRow]:
    """Rows of a CSV (``.csv``) or YAML (``.yaml``/``.yml``) unit file.

    Raises :class:`~core.unit_files.UnitFileError` with every problem found in the file's shape;
    consistency with the units that exist is :func:`core.unit_import.plan_import`'s.
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnitFileError([Problem("file_type", values={"name": path.name})])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UnitFileError([Problem("file_encoding")]) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UnitFileError([Problem("file_unreadable", values={"error": reason})]) from None
    if suffix == ".csv":
        return rows_from_csv(text)
    return rows_from_entries(yaml_entries(text))


def yaml_entries(text: str) -> list[tuple[int, object]]:
    """Each item of a YAML file's top-level list with the line it starts on."""
    try:
        data = yaml.safe_load(text)
        # The node tree gives each entry's line; the plain load gives its values.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else 0
        values = {"error": str(error.problem or error)}
        raise UnitFileError([Problem("yaml_syntax", line, None, values)]) from None
    except yaml.YAMLError as error:
        raise UnitFileError([Problem("yaml_syntax", 0, None, {"error": str(error)})]) from None
    if data is None:
        raise UnitFileError([Problem("file_empty")])
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise UnitFileError([Problem("yaml_not_list", 1)])
    return [(node.start_mark.line + 1, item) for item, node in zip(data, root.value, strict=True)]
