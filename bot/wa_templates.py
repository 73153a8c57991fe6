"""WhatsApp's approved message templates: which notice goes as which template outside the 24-hour
window, read from a TOML file (``WHATSAPP_TEMPLATES_FILE``, the bundled
``locales/whatsapp_templates.toml`` by default) and checked when it is read, so a mistake stops
``aduan run`` and ``aduan whatsapp templates`` with a clear message rather than a send.

A notice's outbox payload carries ``notice`` (``handlers.wa_notice``): its message key, the
citizen's language and the values a template may use (:data:`PARAMETERS`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: What a template's parameters may be (``handlers.wa_notice.NOTICE_VALUES``), each with the
#: example shown to Meta's reviewers.
PARAMETERS: Mapping[str, str] = {
    "number": "K7QM-2XPA-4",
    "status": "Sedang diproses",
    "due": "Senin, 14 Desember 2026",
}
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "locales" / "whatsapp_templates.toml"
_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


class TemplateConfigError(ValueError):
    """The templates file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Template:
    name: str
    language: str
    body: str
    parameters: tuple[str, ...]
    notices: tuple[str, ...]

    def values(self, given: Mapping[str, str]) -> list[str]:
        """The body's parameters in order, from a notice's values ("-" for one it lacks)."""
        return [str(given.get(name) or "-")[:1024] for name in self.parameters]

    def example(self) -> list[str]:
        return [PARAMETERS[name] for name in self.parameters]


@dataclass(frozen=True)
class TemplateBook:
    templates: tuple[Template, ...]
    default_language: str = "id"

    def for_notice(self, key: str, language: str) -> Template | None:
        """The template standing in for notice ``key`` in ``language`` (else the default
        language's), or None: the notice then waits for the citizen's next message."""
        for lang in (language, self.default_language):
            for template in self.templates:
                if template.language == lang and key in template.notices:
                    return template
        return None


def load_templates(
    path: Path | None = None,
    *,
    is_notice: Callable[[str], bool] = lambda _key: True,
    default_language: str = "id",
) -> TemplateBook:
    """Read and check the templates file; :class:`TemplateConfigError` names what is wrong."""
    path = path or DEFAULT_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise TemplateConfigError(f"{path}: {error}") from error
    entries = data.get("template", [])
    if not isinstance(entries, list):
        raise TemplateConfigError(f"{path}: [[template]] entries expected")
    templates = tuple(
        _template(path, index, entry, is_notice) for index, entry in enumerate(entries, 1)
    )
    seen: dict[tuple[str, str], str] = {}
    for template in templates:
        for key in template.notices:
            other = seen.setdefault((key, template.language), template.name)
            if other != template.name:
                raise TemplateConfigError(
                    f"{path}: notice {key!r} ({template.language}) is in two templates: "
                    f"{other!r} and {template.name!r}"
                )
    return TemplateBook(templates, default_language)


def _template(path: Path, index: int, entry: Any, is_notice: Callable[[str], bool]) -> Template:
    where = f"{path}: template {index}"
    if not isinstance(entry, dict):
        raise TemplateConfigError(f"{where}: not a table")
    name, language, body = (str(entry.get(k, "")) for k in ("name", "language", "body"))
    if not _NAME.match(name):
        raise TemplateConfigError(f"{where}: name {name!r} must be lowercase letters, digits, _")
    where = f"{path}: template {name!r} ({language or '?'})"
    if not language or not body:
        raise TemplateConfigError(f"{where}: language and body are required")
    parameters = _strings(where, entry, "parameters")
    notices = _strings(where, entry, "notices")
    unknown = [p for p in parameters if p not in PARAMETERS]
    if unknown:
        raise TemplateConfigError(
            f"{where}: unknown parameter {unknown[0]!r} (known: {', '.join(PARAMETERS)})"
        )
    numbers = sorted({int(n) for n in _PLACEHOLDER.findall(body)})
    if numbers != list(range(1, len(parameters) + 1)):
        raise TemplateConfigError(
            f"{where}: the body has placeholders {numbers} but {len(parameters)} parameters"
        )
    strange = [key for key in notices if not is_notice(key)]
    if strange:
        raise TemplateConfigError(f"{where}: unknown notice {strange[0]!r}")
    return Template(name, language, body, tuple(parameters), tuple(notices))


def _strings(where: str, entry: Mapping[str, Any], key: str) -> Sequence[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TemplateConfigError(f"{where}: {key} must be a list of strings")
    return value
