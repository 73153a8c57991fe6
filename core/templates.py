"""Ready answers (templat jawaban): words an officer picks instead of typing them again.

A template belongs to one unit (its groups keep it) or to the whole kabupaten (the coordinator's,
and the seeded examples: ``unit_id`` is None), and to one category or to all (``category`` '').
A report is offered the templates of the unit holding it and the kabupaten-wide ones, each only
if its category is the report's or none. Fill-ins in braces (:data:`FILL_INS`) are replaced when
the template is used; a template is checked when it is saved: an unknown fill-in, or words that
could not fit in one message once filled (:func:`problem`), are refused then, never at use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from core.limits import OFFICER_NOTE_MAX

#: The fill-ins a template may use, and the longest text each may become (to check at save).
FILL_INS: Final[Mapping[str, int]] = {
    "nomor": 20,  # the tracking number
    "kategori": 60,  # the category's name
    "desa": 160,  # the place: desa, kecamatan (and kabupaten in a province deployment)
    "tenggat": 60,  # the running stage's date, written out
}
#: Longest template once filled, in characters: what an officer's words may be.
TEMPLATE_MAX: Final = OFFICER_NOTE_MAX
#: Longest title: it is a button's label on a phone.
TITLE_MAX: Final = 40
#: The separator of ``/templat tambah <judul> | <teks> [| <kategori>]``.
SEPARATOR: Final = "|"
#: How many templates a prompt offers (Telegram shows more as a long list on a phone).
OFFERED_MAX: Final = 8

_FILL = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Draft:
    """A template as typed: its title, words and category code ('' for every category)."""

    title: str
    body: str
    category: str = ""


def fill_ins(body: str) -> list[str]:
    """The names in braces in ``body``, in order."""
    return [found.group(1).strip() for found in _FILL.finditer(body)]


def unknown_fill_ins(body: str) -> list[str]:
    """The fill-ins of ``body`` that are not in :data:`FILL_INS` (each once)."""
    return list(dict.fromkeys(name for name in fill_ins(body) if name not in FILL_INS))


def longest(body: str) -> int:
    """How long ``body`` can be once its (known) fill-ins are filled."""
    return len(_FILL.sub(lambda found: "x" * FILL_INS.get(found.group(1).strip(), 0), body))


def fill(body: str, values: Mapping[str, str]) -> str:
    """``body`` with each known fill-in replaced by its value (an unknown one is left as typed,
    which a saved template does not have)."""

    def replace(found: re.Match[str]) -> str:
        name = found.group(1).strip()
        return values[name] if name in values else found.group(0)

    return _FILL.sub(replace, body)


def parse(args: str) -> Draft | None:
    """``<judul> | <teks> [| <kategori>]``; None when the title or the words are missing."""
    parts = [part.strip() for part in args.split(SEPARATOR, 2)]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    category = parts[2].lower() if len(parts) > 2 else ""
    return Draft(title=parts[0], body=parts[1], category=category)


def problem(draft: Draft) -> str:
    """Why ``draft`` cannot be saved, as a key of the ``tpl.refused.*`` messages ('' if it can)."""
    if len(draft.title) > TITLE_MAX:
        return "title_long"
    if unknown_fill_ins(draft.body):
        return "unknown_fill_in"
    if longest(draft.body) > TEMPLATE_MAX:
        return "too_long"
    return ""
