"""Bukan kewenangan's words: every status, dirujuk included, is named on every screen that
names statuses, in both languages; the citizen's directions list only the contacts known."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.lifecycle import ReportStatus
from handlers.referral_words import contacts
from locales import LANGUAGES, Catalogs, load_messages
from storage.models import ReferralBody

SCREENS = ("card.status", "status.label", "console.status", "open311.notice")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_status_is_named_on_every_screen(language: str) -> None:
    messages = load_messages(language)
    missing = [f"{s}.{st.value}" for s in SCREENS for st in ReportStatus]
    assert [key for key in missing if key not in messages] == []


def _body(**parts: str) -> ReferralBody:
    return ReferralBody(name="BPJS Kesehatan", active=True, created_at=datetime.now(UTC), **parts)


def test_the_directions_name_only_what_is_known() -> None:
    tr = Catalogs().get("id")
    text = contacts(tr, _body(handles="JKN-KIS", phone="165", web="", address="", channel=""))
    assert text.splitlines() == ["Menangani: JKN-KIS", "☎️ Telepon: 165"]
    bare = contacts(tr, _body(handles="Air bersih", phone="", web="", address="", channel=""))
    assert "kontak belum dicatat" in bare
