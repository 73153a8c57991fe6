"""Gettext catalogues: ``locales/<lang>/LC_MESSAGES/aduan.po``, Indonesian first, English second.

Message ids are stable keys (``intake.ask_type``); every text has named ``{placeholders}``.
The ``.po`` files are compiled in memory when the program starts, so there is no build step.
"""

from __future__ import annotations

import gettext
import io
import string
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent
DOMAIN = "aduan"
LANGUAGES = ("id", "en")


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_messages(language: str) -> dict[str, str]:
    """Every translated message of one catalogue, by key (fuzzy and empty entries excluded)."""
    with po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def _compile(language: str) -> gettext.GNUTranslations:
    with po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Translator:
    language: str
    _translations: gettext.GNUTranslations

    def t(self, key: str, /, **values: object) -> str:
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
