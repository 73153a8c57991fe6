"""The posters' WhatsApp code (issue 31): the business number as wa.me wants it, the link with the
prepared first message, the code read back from what a citizen sends (edited or not), and a
WhatsApp text carrying a code arriving as ``/start <code>`` as Telegram's deep link does."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from bot.whatsapp_events import to_event
from core.posters import code_in_text, poster_whatsapp, whatsapp_link, whatsapp_number
from handlers.events import Message


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("+62 811-0000-1234", "6281100001234"), ("0811 0000 1234", "6281100001234"), ("", "")],
)
def test_the_number_is_digits_with_the_country_code(typed: str, digits: str) -> None:
    assert whatsapp_number(typed) == digits


def test_without_the_whatsapp_channel_the_posters_have_no_whatsapp_code() -> None:
    assert poster_whatsapp("", "+62 811 0000 1234") == ""
    assert poster_whatsapp("1000001", "") == ""
    assert poster_whatsapp("1000001", "+62 811 0000 1234") == "6281100001234"


def test_the_link_carries_the_prepared_message() -> None:
    text = "Halo, saya mau lapor untuk Desa Sepaso, Kec. Bengalon (kode p64_08_09_2001)"
    link = urlparse(whatsapp_link("6281100001234", text))
    assert (link.scheme, link.netloc, link.path) == ("https", "wa.me", "/6281100001234")
    assert parse_qs(link.query)["text"] == [text]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Halo, saya mau lapor untuk Desa Sepaso (kode p64_08_09_2001)", "p64_08_09_2001"),
        ("kode p64_08_09 tolong", "p64_08_09"),
        ("p64_08_09_2001", "p64_08_09_2001"),
        ("Halo, jalan rusak", ""),
        ("nomor xp64_08_09_2001", ""),
        ("p64_08_09_20019", ""),
    ],
)
def test_the_code_is_found_in_a_message(text: str, code: str) -> None:
    assert code_in_text(text) == code


def _text_message(body: str) -> Message:
    update = {
        "update_id": 1,
        "whatsapp": {
            "message": {"from": "628", "id": "wamid.X", "type": "text", "text": {"body": body}},
            "contact": {"wa_id": "628", "profile": {"name": "Rina"}},
        },
    }
    event = to_event(update)
    assert isinstance(event, Message)
    return event


def test_a_text_with_a_poster_code_arrives_as_start_with_the_code() -> None:
    opened = _text_message("Halo, saya mau lapor untuk Desa Sepaso (kode p64_08_09_2001)")
    assert (opened.command, opened.command_args) == ("start", "p64_08_09_2001")
    plain = _text_message("Halo, ada jalan rusak")
    assert (plain.command, plain.text) == ("", "Halo, ada jalan rusak")
