"""Signed callback data for inline buttons."""

import pytest

from core.callbacks import sign_callback, verify_callback
from core.limits import CALLBACK_DATA_MAX

SECRET = b"test-secret-not-for-production"


def test_round_trip() -> None:
    data = sign_callback("ack:7KQ4M2XD4", SECRET)
    assert data.startswith("ack:7KQ4M2XD4|")
    assert len(data) == len("ack:7KQ4M2XD4|") + 8
    assert verify_callback(data, SECRET) == "ack:7KQ4M2XD4"


def test_tag_is_base64url() -> None:
    tag = sign_callback("x", SECRET).rpartition("|")[2]
    assert len(tag) == 8
    assert set(tag) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_deterministic() -> None:
    assert sign_callback("cat:jalan", SECRET) == sign_callback("cat:jalan", SECRET)


def test_payload_may_contain_separator() -> None:
    data = sign_callback("a|b", SECRET)
    assert verify_callback(data, SECRET) == "a|b"


def test_empty_payload() -> None:
    assert verify_callback(sign_callback("", SECRET), SECRET) == ""


@pytest.mark.parametrize(
    "forged",
    [
        "cat:jalan",  # no tag
        "cat:jalan|",  # empty tag
        "cat:jalan|AAAAAAAA",  # wrong tag
        "",
        "|",
        "cat:jalan|ééééééé",  # non-ASCII tag must not raise
    ],
)
def test_forged_data_rejected(forged: str) -> None:
    assert verify_callback(forged, SECRET) is None


def test_changed_payload_rejected() -> None:
    tag = sign_callback("close:1", SECRET).rpartition("|")[2]
    assert verify_callback(f"close:2|{tag}", SECRET) is None


def test_truncated_or_extended_tag_rejected() -> None:
    data = sign_callback("close:1", SECRET)
    assert verify_callback(data[:-1], SECRET) is None
    assert verify_callback(data + "A", SECRET) is None


def test_other_secret_rejected() -> None:
    assert verify_callback(sign_callback("close:1", SECRET), b"other") is None


def test_size_limit() -> None:
    longest = "p" * (CALLBACK_DATA_MAX - 9)
    assert len(sign_callback(longest, SECRET).encode()) == CALLBACK_DATA_MAX
    with pytest.raises(ValueError, match="64"):
        sign_callback(longest + "p", SECRET)


def test_size_limit_counts_bytes() -> None:
    with pytest.raises(ValueError, match="bytes"):
        sign_callback("é" * 28, SECRET)  # 28 characters, 56 bytes + 9


def test_empty_secret_rejected() -> None:
    with pytest.raises(ValueError, match="secret"):
        sign_callback("x", b"")
    with pytest.raises(ValueError, match="secret"):
        verify_callback("x|AAAAAAAA", b"")


def test_data_signed_for_one_chat_does_not_verify_in_another() -> None:
    secret = b"rahasia"
    data = sign_callback("d:3:type:pengaduan", secret, "1001")
    assert verify_callback(data, secret, "1001") == "d:3:type:pengaduan"
    assert verify_callback(data, secret, "1002") is None
    assert verify_callback(data, secret) is None
    # Without a context the data is the same as before chats were bound.
    assert verify_callback(sign_callback("g:0:lang:en", secret), secret) == "g:0:lang:en"


def test_the_tag_is_the_first_six_bytes_of_the_hmac_whichever_secret_came_before() -> None:
    """Buttons already sent keep verifying: the tag is HMAC-SHA256 of ``context`` + 0x1f +
    payload, whatever secrets were used in between (the keyed HMAC is kept per secret)."""
    import base64
    import hashlib
    import hmac

    def expected(payload: str, secret: bytes, context: str = "") -> str:
        signed = f"{context}\x1f{payload}" if context else payload
        digest = hmac.new(secret, signed.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:6]).decode()

    for secret in (SECRET, b"another", SECRET, b"another"):
        assert sign_callback("tr:7KQ4", secret) == f"tr:7KQ4|{expected('tr:7KQ4', secret)}"
        signed = sign_callback("tr:7KQ4", secret, context="-100")
        assert signed == f"tr:7KQ4|{expected('tr:7KQ4', secret, '-100')}"
        assert verify_callback(signed, secret, context="-100") == "tr:7KQ4"
