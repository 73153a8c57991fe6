"""One screen description, rendered for WhatsApp (bot/whatsapp_render.py) and read back from its
webhook JSON (bot/whatsapp_events.py)."""

from __future__ import annotations

import logging

from lokal.samaran.logging import SamaranFilter

from bot.whatsapp_events import message_number, to_event
from bot.whatsapp_render import render_whatsapp
from handlers.actions import (
    AnswerButton,
    ClearButtons,
    EditText,
    InlineButton,
    InlineKeyboard,
    ReplyButton,
    ReplyKeyboard,
    SendText,
)
from handlers.events import ButtonPress, MediaKind, Message

TO = "6281234567890"


def _keyboard(*titles: str) -> InlineKeyboard:
    return InlineKeyboard(rows=tuple((InlineButton(t, f"data-{i}"),) for i, t in enumerate(titles)))


def _render(action: object) -> list[dict[str, object]]:
    return render_whatsapp(action, list_button="Pilih")  # type: ignore[arg-type]


def test_three_short_buttons_are_reply_buttons() -> None:
    [op] = _render(SendText(TO, "Pilih jenis", _keyboard("Pengaduan", "Aspirasi", "Informasi")))
    assert op["op"] == "buttons"
    assert op["buttons"] == [
        ("Pengaduan", "data-0"),
        ("Aspirasi", "data-1"),
        ("Informasi", "data-2"),
    ]


def test_four_buttons_or_a_long_title_become_a_list() -> None:
    [four] = _render(SendText(TO, "x", _keyboard("a", "b", "c", "d")))
    [long] = _render(SendText(TO, "x", _keyboard("Sampah & Lingkungan Hidup Kita", "b")))
    assert (four["op"], long["op"]) == ("list", "list")
    row = long["rows"][0]  # type: ignore[index]
    assert len(row["title"]) <= 24
    assert row["description"] == "Sampah & Lingkungan Hidup Kita"


def test_a_list_keeps_ten_rows_at_most() -> None:
    [op] = _render(SendText(TO, "x", _keyboard(*(f"Desa {n}" for n in range(15)))))
    assert len(op["rows"]) == 10  # type: ignore[arg-type]


def test_a_menu_button_types_its_text_and_a_location_keyboard_asks_for_the_location() -> None:
    menu = ReplyKeyboard(rows=((ReplyButton("📝 Laporan baru"),),))
    [op] = _render(SendText(TO, "Menu", menu))
    assert op["buttons"] == [("📝 Laporan baru", "t:📝 Laporan baru")]
    where = ReplyKeyboard(
        rows=((ReplyButton("📍 Kirim lokasi", request_location=True),), (ReplyButton("Lewati"),))
    )
    ops = _render(SendText(TO, "Kirim titik lokasi", where))
    assert [o["op"] for o in ops] == ["location_request", "buttons"]


def test_no_edits_on_whatsapp_a_changed_screen_is_sent_anew() -> None:
    [op] = _render(EditText(TO, 5, "<b>Baru</b> &amp; benar", _keyboard("OK"), html=True))
    assert (op["op"], op["text"]) == ("buttons", "Baru & benar")
    assert _render(ClearButtons(TO, 5)) == []
    assert _render(AnswerButton("wa:" + TO, "ok")) == []
    alert = _render(AnswerButton("wa:" + TO, "Tombol ini sudah tidak berlaku", alert=True))
    assert alert == [{"op": "text", "to": TO, "text": "Tombol ini sudah tidak berlaku"}]


def test_a_long_screen_goes_as_text_then_its_buttons() -> None:
    ops = _render(SendText(TO, "x" * 2000, _keyboard("OK")))
    assert [o["op"] for o in ops] == ["text", "buttons"]


def _update(message: dict[str, object]) -> dict[str, object]:
    full = {"from": TO, "id": "wamid.A", **message}
    contact = {"wa_id": TO, "profile": {"name": "Rina"}}
    return {"update_id": 1, "whatsapp": {"message": full, "contact": contact}}


def test_webhook_messages_become_the_same_events_as_telegram_updates() -> None:
    text = to_event(_update({"type": "text", "text": {"body": "Halo"}}))
    assert isinstance(text, Message)
    assert (text.text, text.sender.first_name) == ("Halo", "Rina")
    press = to_event(
        _update(
            {
                "type": "interactive",
                "context": {"id": "wamid.B"},
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "sig", "title": "OK"},
                },
            }
        )
    )
    assert isinstance(press, ButtonPress)
    assert press.data == "sig"
    assert press.message_id == message_number("wamid.B")
    typed = to_event(
        _update(
            {
                "type": "interactive",
                "interactive": {"type": "list_reply", "list_reply": {"id": "t:📋 Laporan saya"}},
            }
        )
    )
    assert isinstance(typed, Message)
    assert typed.text == "📋 Laporan saya"
    image = to_event(_update({"type": "image", "image": {"id": "77", "mime_type": "image/jpeg"}}))
    assert isinstance(image, Message)
    assert image.photos[0].file_id == "77"
    assert image.photos[0].as_file  # fetched and cleaned: Telegram cannot use WhatsApp's id
    where = to_event(_update({"type": "location", "location": {"latitude": 0.9, "longitude": 117}}))
    assert isinstance(where, Message)
    assert where.location is not None
    sticker = to_event(_update({"type": "sticker", "sticker": {"id": "9"}}))
    assert isinstance(sticker, Message)
    assert sticker.media is MediaKind.STICKER


def test_message_numbers_are_stable_positive_and_fit_a_bigint() -> None:
    first = message_number("wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=")
    assert first == message_number("wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=")
    assert 0 < first < 2**62


def test_a_whatsapp_number_in_a_log_line_is_masked() -> None:
    record = logging.LogRecord("x", logging.INFO, "", 0, "sent to %s", (TO,), None)
    SamaranFilter().filter(record)
    assert TO not in record.getMessage()


def test_a_list_cut_at_ten_rows_asks_for_a_typed_name() -> None:
    kecamatan = _keyboard(*(f"Kecamatan {n}" for n in range(18)))
    [op] = render_whatsapp(
        SendText(TO, "Di kecamatan mana?", kecamatan), list_button="Pilih", more="Ketik namanya."
    )
    assert str(op["text"]).endswith("Ketik namanya.")
    [short] = render_whatsapp(
        SendText(TO, "x", _keyboard("a", "b", "c", "d")), list_button="P", more="Ketik"
    )
    assert short["text"] == "x"
