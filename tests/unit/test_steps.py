"""A private chat's step, typed: the stored form (``followup:123``) read and written in one
place."""

from __future__ import annotations

from handlers.steps import ChatStep, Step, about


def test_conversation_steps_read_and_write_their_stored_form() -> None:
    assert Step.parse("followup:123") == Step(ChatStep.FOLLOWUP, 123)
    assert about(ChatStep.COMMENT, 7) == "comment:7"
    assert Step.parse(about(ChatStep.FOLLOWUP, 9)).report_id == 9
    assert Step.parse("intake") == Step(ChatStep.INTAKE)
    assert Step.parse("followup:x") == Step(ChatStep.IDLE)
    assert Step.parse("unknown") == Step(ChatStep.IDLE)
    assert Step.parse(None).format() == "idle"
