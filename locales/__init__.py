"""Gettext catalogues: ``locales/<lang>/LC_MESSAGES/*.po``, Indonesian first, English second.

Each language may split its messages over several files by area (``aduan.po`` for citizens,
``units.po`` for officers' groups, ``cli.po`` for the command line); they form one catalogue and a
key may live in only one of them.

Message ids are stable keys (``intake.ask_type``); every text has named ``{placeholders}``.
The ``.po`` files are compiled in memory when the program starts, so there is no build step.
"""

from __future__ import annotations

import gettext
import io
import string
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent
DOMAIN = "aduan"
LANGUAGES = ("id", "en")
#: The values that count something: a text may have a form for exactly one of them (``KEY.one``).
COUNTING = ("count", "days", "level")


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def po_paths(language: str) -> list[Path]:
    """Every ``.po`` file of one language, the main ``aduan.po`` first."""
    main = po_path(language)
    others = sorted(p for p in main.parent.glob("*.po") if p != main)
    return [main, *others]


def _read_catalog(language: str) -> Catalog:
    """The language's files merged into one catalogue; a key defined twice is an error."""
    paths = po_paths(language)
    with paths[0].open("rb") as handle:
        merged = read_po(handle, locale=language)
    for path in paths[1:]:
        with path.open("rb") as handle:
            part = read_po(handle, locale=language)
        for message in part:
            if not message.id:
                continue
            if message.id in merged:
                raise ValueError(f"{path}: key {message.id!r} is already defined")
            merged[message.id] = message
    return merged


def load_messages(language: str) -> dict[str, str]:
    """Every translated message of one catalogue, by key (fuzzy and empty entries excluded)."""
    return {
        str(m.id): str(m.string)
        for m in _read_catalog(language)
        if m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def _compile(language: str) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, _read_catalog(language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Translator:
    language: str
    _translations: gettext.GNUTranslations

    def t(self, key: str, /, **values: object) -> str:
        """The text of ``key`` with ``values`` filled in; when a value that counts (``count``,
        ``days``, ``level``) is 1 and the language has a form for one (``KEY.one``), that form."""
        if values and any(values.get(name) == 1 for name in COUNTING):
            one = f"{key}.one"
            text = self._translations.gettext(one)
            if text != one:
                return text.format(**values)
        text = self._translations.gettext(key)
        return text.format(**values) if values else text


class Catalogs:
    """All languages, loaded once at start-up."""

    def __init__(self, default_language: str = "id") -> None:
        self.default_language = default_language
        self._by_language = {lang: Translator(lang, _compile(lang)) for lang in LANGUAGES}

    def get(self, language: str | None) -> Translator:
        return self._by_language.get(language or "", self._by_language[self.default_language])

    def all(self) -> tuple[Translator, ...]:
        return tuple(self._by_language.values())
