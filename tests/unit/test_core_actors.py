"""A timeline's actor labels read as words from the catalogues, in both languages."""

from __future__ import annotations

import pytest

from core.actors import ACTOR_KEYS, OFFICER_KEY, ActorWords, actor_words
from core.decisions import REPORTER, SUPPORTER_LABEL, SYSTEM, Actor
from core.permissions import UnitKind
from locales import LANGUAGES, load_messages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_actor_key_has_words(language: str) -> None:
    messages = load_messages(language)
    for key in (*ACTOR_KEYS.values(), OFFICER_KEY):
        assert messages.get(key), (language, key)


def test_fixed_labels_are_keys() -> None:
    assert actor_words(REPORTER.label) == ActorWords(key="actor.reporter")
    assert actor_words(SYSTEM.label) == ActorWords(key="actor.system")
    assert actor_words(SUPPORTER_LABEL) == ActorWords(key="actor.supporter")


def test_an_officer_is_named_by_the_name_kept() -> None:
    officer = Actor.officer("77", "Rina", 3, UnitKind.OPD)
    assert actor_words(officer.label) == ActorWords(name="Rina")
    assert actor_words(Actor.officer("77", "", 3, UnitKind.OPD).label).key == OFFICER_KEY
    assert actor_words("petugas:77").key == OFFICER_KEY  # a label cut short names no one


def test_a_label_this_version_does_not_know_is_shown_as_is() -> None:
    assert actor_words("robot") == ActorWords(name="robot")
