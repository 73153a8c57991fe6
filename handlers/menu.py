"""The main menu (a reply keyboard) and recognising its buttons in either language."""

from __future__ import annotations

from handlers.actions import ReplyButton, ReplyKeyboard
from locales import Catalogs, Translator

MENU_KEYS = {
    "menu.new_report": "new",
    "menu.check_status": "status",
    "menu.my_reports": "mine",
    "menu.help": "help",
    "menu.language": "language",
    "menu.my_data": "data",
}


def main_menu(tr: Translator) -> ReplyKeyboard:
    return ReplyKeyboard(
        rows=(
            (ReplyButton(tr.t("menu.new_report")),),
            (ReplyButton(tr.t("menu.check_status")), ReplyButton(tr.t("menu.my_reports"))),
            (
                ReplyButton(tr.t("menu.help")),
                ReplyButton(tr.t("menu.language")),
                ReplyButton(tr.t("menu.my_data")),
            ),
        )
    )


def menu_choice(catalogs: Catalogs, text: str) -> str:
    """Which menu entry a text is (any language, so an old keyboard still works), or ''."""
    cleaned = text.strip()
    for tr in catalogs.all():
        for key, choice in MENU_KEYS.items():
            if cleaned == tr.t(key):
                return choice
    return ""
