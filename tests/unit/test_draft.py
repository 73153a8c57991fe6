"""The intake draft's stored form: typed, versioned, and read safely whatever is stored."""

from __future__ import annotations

import pytest

from handlers import draft as drafts
from handlers.draft import VERSION, Draft, DraftPhoto, IntakeStep
from handlers.intake import EDITABLE, STEP_TABLE, STEPS
from storage.models import Conversation

PHOTO = DraftPhoto(file_id="f1", file_unique_id="u1", media_group_id="g", size=2048)


def test_a_draft_survives_the_round_trip() -> None:
    draft = Draft(
        step=IntakeStep.PHOTOS,
        type="pengaduan",
        category="air",
        kecamatan="64.08.04",
        desa="64.08.04.2001",
        lat=1.05,
        lon=117.6,
        description="Air PDAM mati total sejak tiga hari.",
        photos=(PHOTO,),
        refused_files={"too_big": 1},
        held={"text": "halo"},
        prompts={"7": {"report": 1, "action": "ask", "at": "2026-11-29T00:00:00+00:00"}},
    )
    stored = drafts.dump(draft)
    assert stored["v"] == VERSION
    assert stored["step"] == "photos"
    assert drafts.parse(stored) == draft


def test_an_empty_draft_is_stored_as_an_empty_object() -> None:
    assert drafts.dump(Draft()) == {}
    assert drafts.parse({}) == Draft()
    assert not drafts.parse(None).in_intake


def test_a_draft_from_before_versions_is_read_as_it_was() -> None:
    # The layout the bot wrote before drafts had a version (no "v").
    old = {
        "step": "summary",
        "page": 0,
        "search": "",
        "type": "aspirasi",
        "category": "jalan",
        "desa": "64.08.04.2001",
        "address": "",
        "lat": None,
        "lon": None,
        "description": "Jalan berlubang di depan sekolah.",
        "photos": [
            {
                "file_id": "f1",
                "file_unique_id": "u1",
                "media_group_id": None,
                "mime_type": "image/png",
                "size": 10,
            }
        ],
        "privacy": "anonim",
        "editing": True,
        "told": {"report": 3, "at": "2026-11-29T00:00:00+00:00"},
    }
    draft = drafts.parse(old)
    assert draft.step is IntakeStep.SUMMARY
    assert (draft.type, draft.category, draft.privacy) == ("aspirasi", "jalan", "anonim")
    assert draft.lat is None
    assert draft.editing
    assert draft.photos == (DraftPhoto("f1", "u1", "", "image/png", 10),)
    assert draft.told == {"report": 3, "at": "2026-11-29T00:00:00+00:00"}


def test_a_draft_of_an_unknown_version_reads_as_empty() -> None:
    assert drafts.parse({"v": VERSION + 1, "step": "summary", "desa": "x"}) == Draft()
    assert drafts.parse({"v": "1", "step": "type"}) == Draft()


@pytest.mark.parametrize(
    "stored",
    [
        "not an object",
        ["step", "type"],
        42,
        {"step": "no-such-step", "type": 5, "page": "2", "photos": "x", "lat": "1.0"},
        {"step": ["type"], "photos": [None, {"file_id": 1}], "refused_files": {"a": "b"}},
        {"held": "text", "prompts": ["x"], "editing": "yes"},
    ],
)
def test_a_malformed_draft_is_read_without_crashing(stored: object) -> None:
    draft = drafts.parse(stored)
    assert draft.step is None
    assert draft.photos == ()
    assert draft.type == ""
    assert draft.page == 0
    assert draft.lat is None
    assert draft.held is None
    assert draft.prompts == {}
    assert draft.refused_files == {}
    assert not draft.editing


def test_malformed_fields_are_dropped_one_by_one() -> None:
    draft = drafts.parse({"step": "desa", "kecamatan": "64.08.04", "page": "two", "lat": 1.0})
    assert draft.step is IntakeStep.DESA
    assert draft.kecamatan == "64.08.04"
    assert draft.page == 0
    assert draft.lat is None  # a point needs both coordinates


def test_load_save_and_update_go_through_the_conversation_row() -> None:
    conversation = Conversation(draft={"step": "type", "held": {"text": "x"}})
    assert drafts.load(conversation).step is IntakeStep.TYPE
    before = conversation.draft
    drafts.update(conversation, type="pengaduan", held=None)
    assert conversation.draft is not before  # a new value, so the JSON column is saved
    assert conversation.draft == {"v": VERSION, "step": "type", "type": "pengaduan"}
    drafts.save(conversation, Draft())
    assert conversation.draft == {}


def test_every_intake_step_has_a_row_in_the_table() -> None:
    assert set(STEP_TABLE) == set(IntakeStep)
    # The edit chooser and a poster's question (in place of the first place step) are no steps
    # of the order.
    assert set(STEPS) | {IntakeStep.EDIT, IntakeStep.POSTER} == set(IntakeStep)
    assert set(EDITABLE) <= set(STEPS)
