"""``aduan whatsapp templates``: what to submit to Meta for approval (docs/whatsapp.md), in the
default language: each template's name, category (utility), language, body with its {{1}}
placeholders and example values, read and checked from ``WHATSAPP_TEMPLATES_FILE``.

:func:`check` is ``aduan run``'s check of the same file when WhatsApp is on: a mistake in it
(an unknown parameter, placeholders that do not match) stops the start with a clear message."""

from __future__ import annotations

import argparse
import sys

from bot.wa_templates import TemplateBook, TemplateConfigError
from locales import Catalogs, Translator
from runtime.settings import Settings
from runtime.whatsapp import whatsapp_enabled, whatsapp_templates


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], tr: Translator
) -> None:
    whatsapp = commands.add_parser("whatsapp", help=tr.t("cli.help.whatsapp"))
    actions = whatsapp.add_subparsers(dest="whatsapp_command", required=True)
    actions.add_parser("templates", help=tr.t("cli.help.whatsapp.templates"))


def describe(book: TemplateBook, tr: Translator) -> str:
    """The templates as they are to be submitted."""
    if not book.templates:
        return tr.t("wa.templates.none")
    parts = [tr.t("wa.templates.intro")]
    total = len(book.templates)
    for index, template in enumerate(book.templates, 1):
        examples = ", ".join(
            f"{{{{{n}}}}} = {value}" for n, value in enumerate(template.example(), 1)
        )
        parts.append(
            tr.t(
                "wa.templates.entry",
                index=index,
                total=total,
                name=template.name,
                language=template.language,
                body=template.body,
                examples=examples or tr.t("wa.templates.no_examples"),
                notices=", ".join(template.notices),
            )
        )
    return "\n\n".join(parts)


def check(settings: Settings, tr: Translator) -> str:
    """The templates file's problem, in words ("" when it is fine or WhatsApp is off)."""
    if not whatsapp_enabled(settings):
        return ""
    try:
        whatsapp_templates(settings, Catalogs(settings.default_language))
    except TemplateConfigError as problem:
        return tr.t("wa.templates.bad_file", problem=str(problem))
    return ""


def run(args: argparse.Namespace, settings: Settings) -> int:
    tr = Catalogs(settings.default_language).get(settings.default_language)
    try:
        book = whatsapp_templates(settings, Catalogs(settings.default_language))
    except TemplateConfigError as problem:
        print(tr.t("wa.templates.bad_file", problem=str(problem)), file=sys.stderr)
        return 2
    print(describe(book, tr))
    return 0
