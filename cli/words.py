"""argparse's own words (``usage:``, ``options``, its refusals) in the deployment's language.

argparse looks its few messages up through its module's ``_`` and ``ngettext`` at the moment it
prints them. :func:`speak` points those two names at the catalogues for the life of the ``aduan``
command, so ``aduan --help`` and a mistyped command read wholly in ``DEFAULT_LANGUAGE``. A message
argparse has and the catalogues do not (a rare refusal) stays as argparse wrote it.

The catalogue keys are ``cli.argparse.*``; their texts keep argparse's ``%(name)s`` fields, which
argparse fills in itself.
"""

from __future__ import annotations

import argparse

from locales import Translator

#: argparse's message → our catalogue key.
KEYS = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positional",
    "options": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "the following arguments are required: %s": "cli.argparse.required",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "expected one argument": "cli.argparse.expected_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "one of the arguments %s is required": "cli.argparse.one_required",
    "not allowed with argument %s": "cli.argparse.not_allowed_with",
}


def speak(tr: Translator) -> None:
    """From now on, argparse says what the catalogues of ``tr``'s language say."""

    def words(message: str) -> str:
        key = KEYS.get(message)
        return message if key is None else tr.t(key)

    def plural(singular: str, plural_form: str, count: int) -> str:
        return words(singular if count == 1 else plural_form)

    # argparse reads these module names each time it prints (see the module docstring).
    argparse._ = words  # type: ignore[attr-defined]
    argparse.ngettext = plural  # type: ignore[attr-defined]
