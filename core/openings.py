"""Which first message starts a report (kalimat pembuka): "Halo, saya mau lapor jalan rusak".

A citizen's first words often are the complaint itself. A message typed outside any step opens a
report when, after greetings, courtesies and forms of address are set aside ("halo", "selamat
pagi", "pak", "terima kasih", "assalamualaikum"), at least :data:`WORDS_MIN` words remain. A
greeting alone, thanks, "ok" or a word or two ("tes", "jalan rusak") get the menu instead: too
little to tell a report from small talk.
"""

from __future__ import annotations

import re

#: Words that remain after the greetings, at least.
WORDS_MIN = 3

_GREETINGS = (
    "halo hallo hello helo hai hi hei hey pagi siang sore malam selamat met salam "
    "assalamualaikum assalamu alaikum assalamu'alaikum wr wb warahmatullahi wabarakatuh "
    "good morning afternoon evening night"
)
_COURTESIES = "permisi maaf terima kasih makasih trims thanks thank you banyak tes test"
_ASSENT = "ok oke okay siap baik ya iya y"
_ADDRESS = "pak bu bapak ibu kak kakak mas mbak bang om tante min admin mimin gan sis"
#: Greetings, courtesies, assent and forms of address, in Indonesian and English, lower case.
SMALL_TALK = frozenset(" ".join((_GREETINGS, _COURTESIES, _ASSENT, _ADDRESS)).split())

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def opens_a_report(text: str) -> bool:
    """Whether ``text``, typed as a first message, is the opening of a report (module doc)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in SMALL_TALK]
    return len(words) >= WORDS_MIN
