"""The officers' guide names every tool: the pinned guide (``group.guide``) and the second one
(``group.guide_more``, sent with it and by /panduan) together name each button a card can
carry, in both languages, and each stays phone-sized. A new card button without a line in the
guide fails here."""

from __future__ import annotations

import pytest

from core.lifecycle import OFFICER_ACTIONS
from locales import LANGUAGES, Catalogs, load_messages

#: As every message (tests/unit/test_locales.py): about two phone screens; Telegram's own
#: limit is 4,096.
GUIDE_MAX = 1000
#: Buttons under the card besides its actions: assignment and the "⋯ Lainnya" screen.
OTHER_BUTTONS = ("assign", "take", "release", "more", "back")
#: What the group's officers type, and the note's marker.
TOOLS = ("/templat", "/loket", "/klaim", "/panduan", "#catatan")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", ["group.guide", "group.guide_more"])
def test_each_guide_fits_a_phone(language: str, key: str) -> None:
    text = Catalogs().get(language).t(key)
    assert 200 < len(text) <= GUIDE_MAX, (key, len(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_guides_name_every_button_a_card_can_carry(language: str) -> None:
    tr = Catalogs().get(language)
    guides = tr.t("group.guide") + "\n" + tr.t("group.guide_more")
    keys = [f"card.button.{action.value}" for action in OFFICER_ACTIONS]
    keys += [f"card.button.{name}" for name in OTHER_BUTTONS]
    # Every card.button.* of the catalogue but the pickers' cancel: a button added to the
    # catalogue for the card is caught here even before it is in OFFICER_ACTIONS.
    keys += [
        k
        for k in load_messages(language)
        if k.startswith("card.button.") and k != "card.button.cancel"
    ]
    missing = sorted({key for key in keys if tr.t(key) not in guides})
    assert not missing, [(key, tr.t(key)) for key in missing]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_guides_name_the_tools_typed_in_the_group_and_at_the_counter(language: str) -> None:
    tr = Catalogs().get(language)
    guides = tr.t("group.guide") + "\n" + tr.t("group.guide_more")
    assert [tool for tool in TOOLS if tool not in guides] == []


def test_a_button_missing_from_the_guide_is_caught() -> None:
    """The check itself fails on a label the guides do not name."""
    tr = Catalogs().get("id")
    guides = tr.t("group.guide") + "\n" + tr.t("group.guide_more")
    assert "🧪 Tombol baru" not in guides
