"""The private chat's draft (``conversations.draft``), typed, read and written only here.

The JSON column holds one object. Its keys, besides ``v`` (the layout's version):

- the new report being filled in (laporan baru): ``step`` (an :class:`IntakeStep`), the answers
  (``type``, ``category``, ``kabupaten``, ``kecamatan``, ``desa``, ``address``, ``lat``/``lon``,
  ``description``, ``photos``, ``privacy``) and the screen's state (``page``, ``search``,
  ``editing``, ``privacy_help``, ``refused_files``);
- ``behalf``: a report filed for a citizen by an officer (handlers/counter.py): the citizen's
  ``name`` and ``phone``, ``via`` (loket or telepon), the officer's ``unit_id``, and ``next``
  (the detail asked for next, before the intake's steps);
- ``poster``: the code of the poster whose QR code opened this conversation (core/posters.py), kept
  until the report is filed, and ``poster_asked``: whether its place was offered already
  (handlers/intake/poster_step.py);
- ``held``: a message waiting for the citizen to say which report it is for (handlers/followup.py);
- ``told``: when the citizen was last told "passed on to the officers" (handlers/followup.py);
- ``prompts``: in a group's conversation, officers' prompts waiting for a typed answer
  (handlers/typed_prompts.py);
- ``flood``: in a group's conversation, each member's flood-control window (handlers/flood.py).

Drafts written before versions existed (no ``v``) have the same layout and are read as version 1.
A draft of an unknown (newer) version is not trusted: it reads as empty, so the citizen starts
over instead of meeting a crash. A malformed value is dropped field by field; the rest is kept.
An empty draft is stored as ``{}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from storage.models import Conversation

VERSION = 1


class IntakeStep(StrEnum):
    """The screens of the new-report conversation, in order (``edit`` is the field chooser)."""

    TYPE = "type"
    CATEGORY = "category"
    KABUPATEN = "kabupaten"
    KECAMATAN = "kecamatan"
    DESA = "desa"
    ADDRESS = "address"
    GPS = "gps"
    DESCRIPTION = "description"
    PHOTOS = "photos"
    PRIVACY = "privacy"
    SUMMARY = "summary"
    EDIT = "edit"
    POSTER = "poster"  # "Laporan untuk Desa X?" before the place steps (opened from a poster)


@dataclass(frozen=True)
class DraftPhoto:
    file_id: str
    file_unique_id: str
    media_group_id: str = ""
    mime_type: str = "image/jpeg"
    size: int = 0


@dataclass(frozen=True)
class Draft:
    step: IntakeStep | None = None
    # the answers
    type: str = ""
    category: str = ""
    kabupaten: str = ""
    kecamatan: str = ""
    desa: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    description: str = ""
    photos: tuple[DraftPhoto, ...] = ()
    privacy: str = ""
    # the screen's state
    page: int = 0
    search: str = ""
    editing: bool = False
    privacy_help: bool = False
    refused_files: dict[str, int] = field(default_factory=dict)
    poster: str = ""
    poster_asked: bool = False
    # kept beside the intake (see the module docstring)
    held: dict[str, Any] | None = None
    behalf: dict[str, Any] | None = None
    told: dict[str, Any] | None = None
    prompts: dict[str, dict[str, object]] = field(default_factory=dict)
    flood: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def in_intake(self) -> bool:
        """Whether a new report is being filled in."""
        return self.step is not None

    def but(self, **changes: Any) -> Draft:
        """This draft with ``changes``."""
        return replace(self, **changes)


_EMPTY = Draft()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _photo(value: object) -> DraftPhoto | None:
    if not isinstance(value, dict):
        return None
    file_id, unique = value.get("file_id"), value.get("file_unique_id")
    if not isinstance(file_id, str) or not isinstance(unique, str) or not file_id:
        return None
    size = value.get("size", 0)
    return DraftPhoto(
        file_id=file_id,
        file_unique_id=unique,
        media_group_id=_text(value.get("media_group_id")) or "",
        mime_type=_text(value.get("mime_type")) or "image/jpeg",
        size=size if isinstance(size, int) and not isinstance(size, bool) else 0,
    )


def _counts(value: object) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, int) and not isinstance(v, bool)}


def parse(stored: object) -> Draft:
    """A stored draft read back; never raises (see the module docstring)."""
    if not isinstance(stored, dict) or not stored:
        return _EMPTY
    version = stored.get("v", VERSION)
    if version != VERSION:
        return _EMPTY
    values: dict[str, Any] = {}
    step = stored.get("step")
    if isinstance(step, str) and step in IntakeStep.__members__.values():
        values["step"] = IntakeStep(step)
    for name in (
        "type",
        "category",
        "kabupaten",
        "kecamatan",
        "desa",
        "address",
        "description",
        "privacy",
        "search",
        "poster",
    ):
        text = _text(stored.get(name))
        if text is not None:
            values[name] = text
    lat, lon = _number(stored.get("lat")), _number(stored.get("lon"))
    if lat is not None and lon is not None:
        values["lat"], values["lon"] = lat, lon
    photos = stored.get("photos")
    if isinstance(photos, list):
        values["photos"] = tuple(p for p in map(_photo, photos) if p is not None)
    page = stored.get("page")
    if isinstance(page, int) and not isinstance(page, bool):
        values["page"] = page
    for flag in ("editing", "privacy_help", "poster_asked"):
        values[flag] = stored.get(flag) is True
    values["refused_files"] = _counts(stored.get("refused_files"))
    for name in ("held", "told", "behalf"):
        found = stored.get(name)
        if isinstance(found, dict):
            values[name] = dict(found)
    for name in ("prompts", "flood"):
        found = stored.get(name)
        if isinstance(found, dict):
            values[name] = {str(k): dict(v) for k, v in found.items() if isinstance(v, dict)}
    return Draft(**values)


def dump(draft: Draft) -> dict[str, Any]:
    """The stored form: the fields that differ from an empty draft, with the version; ``{}``."""
    out: dict[str, Any] = {}
    for f in fields(Draft):
        value = getattr(draft, f.name)
        if value == getattr(_EMPTY, f.name):
            continue
        if f.name == "photos":
            value = [
                {
                    "file_id": p.file_id,
                    "file_unique_id": p.file_unique_id,
                    "media_group_id": p.media_group_id,
                    "mime_type": p.mime_type,
                    "size": p.size,
                }
                for p in draft.photos
            ]
        elif f.name == "step" and draft.step is not None:
            value = draft.step.value
        out[f.name] = value
    return {"v": VERSION, **out} if out else {}


def load(conversation: Conversation) -> Draft:
    """The conversation's draft."""
    return parse(conversation.draft)


def save(conversation: Conversation, draft: Draft) -> Draft:
    """Store ``draft`` in the conversation (a new JSON value, so the column is saved)."""
    conversation.draft = dump(draft)
    return draft


def update(conversation: Conversation, **changes: Any) -> Draft:
    """Change some fields of the stored draft; the draft after the change."""
    return save(conversation, load(conversation).but(**changes))
