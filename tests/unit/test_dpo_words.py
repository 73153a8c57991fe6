"""Without a named data protection officer, the citizen's chat and the console's record of
processing say the same thing: nobody is named yet, and meanwhile the coordinator's admin takes
requests about data. (The chat once named the coordinator as the officer while the console said
nobody was named.)"""

from __future__ import annotations

from locales import Catalogs

SAME = {
    "id": ("belum ditunjuk", "admin koordinator"),
    "en": ("not named yet", "coordinator's admin"),
}


def test_chat_and_console_agree_when_no_officer_is_named() -> None:
    for language, words in SAME.items():
        catalog = Catalogs().get(language)
        chat = catalog.t("rights.dpo_default").lower()
        console = catalog.t("console.ropa.dpo.none").lower()
        for word in words:
            assert word in chat, (language, word, chat)
            assert word in console, (language, word, console)
