"""No status or event literal outside core/: a report's status and a timeline event's kind are
named by core's enums (``ReportStatus``, ``EventKind``) everywhere else, so renaming or removing
one is a change the type checker and the tests follow.

Every product module outside ``core/`` and the frozen migrations is parsed; a string constant
equal to a status or an event kind fails the test when it is used as a value (compared,
passed, stored in a collection). Docstrings, log messages and catalogue keys are words, not
values, and are allowed. The few places where such a word means something else are listed in
``EXCEPTIONS`` with the reason.

Actor kinds (``ActorKind``) are not checked: their words double as unit kinds (``coordinator``)
and the sandbox's panes (``citizen``), which are other vocabularies.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from core.lifecycle import ReportStatus
from core.timeline import EventKind

ROOT = Path(__file__).resolve().parents[2]

#: Product folders outside core/ (tests/layers keeps the list of folders).
FOLDERS = (
    "bench",
    "bot",
    "cases",
    "cli",
    "emulator",
    "handlers",
    "locales",
    "runtime",
    "storage",
    "web",
)

WORDS = {s.value: "ReportStatus" for s in ReportStatus} | {k.value: "EventKind" for k in EventKind}

#: Calls whose string arguments are log messages or catalogue keys.
_LOG_CALLS = frozenset({"debug", "info", "warning", "error", "exception", "critical", "log"})
_CATALOGUE_CALLS = frozenset({"t", "gettext", "ngettext"})

#: module -> the words allowed there, each with why it is not a status or an event.
EXCEPTIONS: dict[str, frozenset[str]] = {
    # The roll-up table's columns, one per status (``status_baru`` …) and the summed ``rated``:
    # the schema is frozen in the migrations, so its names are written out, not derived.
    "storage/models/rollup.py": frozenset(
        {
            *("baru", "didisposisi", "diproses", "menunggu_pelapor", "selesai", "diarsipkan"),
            *("dirujuk", "rated"),
        }
    ),
    # A reminder round's counters (``reminders``, ``escalations``, ``ombudsman``, ``digests``):
    # what the round did, shown by the sandbox; not the timeline event of that name.
    "cases/reminders.py": frozenset({"ombudsman"}),
    # The reminder loop's outcome label for metrics ("done" or "failed").
    "runtime/metrics.py": frozenset({"done"}),
    "runtime/reminders.py": frozenset({"done"}),
    # The name of a benchmark flow's step (pressing the photos' "done" button).
    "bench/flows.py": frozenset({"done"}),
}


def _words(tree: ast.AST) -> set[int]:
    """The ids of the constants that are docstrings, log messages or catalogue keys."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                allowed.add(id(first.value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _LOG_CALLS | _CATALOGUE_CALLS
            and node.args
        ):
            allowed.update(id(n) for n in ast.walk(node.args[0]))
    return allowed


def literals(source: str) -> Iterator[tuple[int, str]]:
    """``(line, word)`` for each status or event literal used as a value in ``source``."""
    tree = ast.parse(source)
    allowed = _words(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in WORDS
            and id(node) not in allowed
        ):
            yield node.lineno, node.value


def _modules() -> Iterator[Path]:
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def test_no_status_or_event_literal_outside_core() -> None:
    found = []
    for path in _modules():
        name = path.relative_to(ROOT).as_posix()
        allowed = EXCEPTIONS.get(name, frozenset())
        for line, word in sorted(literals(path.read_text(encoding="utf-8"))):
            if word not in allowed:
                found.append(f"{name}:{line}: {word!r} is a value of {WORDS[word]}")
    assert not found, "\n".join(found)


def test_the_exceptions_are_still_needed() -> None:
    """An exception nobody needs any more is removed, so the list stays true."""
    for name, allowed in EXCEPTIONS.items():
        used = {word for _, word in literals((ROOT / name).read_text(encoding="utf-8"))}
        assert allowed <= used, f"{name}: {sorted(allowed - used)} no longer used"


def test_a_literal_used_as_a_value_is_found() -> None:
    sample = '''
"""A module that talks of selesai in its docstring."""
import logging

log = logging.getLogger(__name__)


def late(report, tr):
    """Whether it is diproses."""
    log.info("selesai")
    tr.t("baru")
    if report.status == "selesai":
        return report.kind in ("reminder", "escalated")
    return send(status="diproses")
'''
    assert sorted(literals(sample)) == [
        (12, "selesai"),
        (13, "escalated"),
        (13, "reminder"),
        (14, "diproses"),
    ]
