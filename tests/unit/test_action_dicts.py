"""An action becomes the same outbox JSON as ``dataclasses.asdict`` made of it (the outbox rows
already stored are read back by ``action_from_dict``)."""

from __future__ import annotations

from dataclasses import asdict

from handlers.actions import (
    Action,
    AnswerButton,
    ClearButtons,
    EditText,
    ForceReply,
    InlineButton,
    InlineKeyboard,
    MediaItem,
    RemoveKeyboard,
    ReplyButton,
    ReplyKeyboard,
    SendFile,
    SendMedia,
    SendText,
    action_from_dict,
    action_to_dict,
)

KEYBOARD = InlineKeyboard(
    rows=((InlineButton("Verifikasi", "v:1|abc"), InlineButton("Tolak", "r:1|def")),)
)
ACTIONS: list[Action] = [
    SendText("-100", "halo", KEYBOARD, reply_to_purpose="card", html=True),
    SendText("-100", "ketik", ReplyKeyboard(rows=((ReplyButton("Lokasi", True),),), one_time=True)),
    SendText("5", "balas", ForceReply("Jawaban Anda")),
    SendText("5", "tanpa", RemoveKeyboard(), reply_to_message_id=9),
    SendText("5", "polos"),
    SendMedia("5", (MediaItem("f1"), MediaItem("f2", as_document=True, clip="")), caption="x"),
    SendFile("5", "data.json", "{}", binary=False),
    EditText("-100", 12, "kartu", KEYBOARD, html=True),
    EditText("-100", 12, "kartu"),
    ClearButtons("-100", 12),
    AnswerButton("cb1", "Sudah", alert=True),
]


def test_each_action_is_the_dict_asdict_made_and_reads_back() -> None:
    for action in ACTIONS:
        expected = asdict(action)
        markup = getattr(action, "markup", None)
        if markup is not None:
            expected["markup"] = {"type": type(markup).__name__, **expected["markup"]}
        data = action_to_dict(action)
        assert data == expected
        assert [type(v) for v in data.values()] == [type(v) for v in expected.values()]
        assert action_from_dict(data) == action
