"""Both catalogues hold every key with the same placeholders; code uses only known keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.commands import CITIZEN_COMMANDS, GROUP_COMMANDS
from core.lifecycle import Privacy, ReportStatus, ReportType
from core.permissions import ARCHIVE_REASONS
from locales import LANGUAGES, Catalogs, load_messages, placeholders

ROOT = Path(__file__).resolve().parents[2]


def _static_keys() -> set[str]:
    keys: set[str] = set()
    for folder in ("handlers", "bot", "web", "cli", "runtime"):
        # The console's templates say their words with t("...") as the code does.
        for path in (*(ROOT / folder).rglob("*.py"), *(ROOT / folder).rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            # A key's prefix joined to a value in a template ("console.col." ~ key) is no key.
            keys.update(m for m in re.findall(r'\bt\(\s*"([a-z_]+\.[a-z_.]*[a-z_])"', text))
    return keys


def _dynamic_keys() -> set[str]:
    keys = {f"status.label.{s.value}" for s in ReportStatus}
    keys |= {f"card.status.{s.value}" for s in ReportStatus}
    keys |= {f"type.{t.value}" for t in ReportType}
    keys |= {f"privacy.{p.value}" for p in Privacy}
    steps: tuple[str, ...] = (
        "type",
        "category",
        "kabupaten",
        "kecamatan",
        "desa",
        "address",
        "gps",
    )
    steps += ("description", "photos", "privacy", "summary", "edit")
    keys |= {f"step.{s}" for s in steps}
    keys |= {f"intake.ask_{s}" for s in ("kabupaten", "kecamatan", "desa")}
    keys |= {"event.submitted"}
    keys |= {f"commands.{c}" for c in CITIZEN_COMMANDS}
    # Case work: buttons, outcomes and timeline entries are named after the action.
    actions = ("vf", "ask", "tl", "done", "tr", "ar")
    keys |= {f"card.button.{a}" for a in (*actions, "cancel")}
    keys |= {f"case.ok.{a}" for a in actions}
    keys |= {f"event.{a}" for a in (*actions, "ans", "reopen", "routed", "routed_fallback")}
    keys |= {f"event.{k}" for k in ("reporter_answer", "reporter_info", "confirmed", "rated")}
    reasons = ("blocked", "gone", "other", "wa_window")
    keys |= {"event.undeliverable"} | {f"delivery.failed.{r}" for r in reasons}
    keys |= {f"prompt.{a}" for a in ("ask", "tl", "done", "tr")}
    keys |= {f"prompt.placeholder.{a}" for a in ("ask", "tl", "done", "tr")}
    keys |= {f"group.usage.{a}" for a in ("ask", "tl", "done")}
    keys |= {f"archive.reason.{r}" for r in ARCHIVE_REASONS}
    refusals = ("archived", "finished", "not_verified", "already_verified", "already_waiting")
    keys |= {f"case.refused.{r}" for r in (*refusals, "not_allowed", "unknown_unit", "same_unit")}
    keys |= {f"followup.refused.{r}" for r in ("archived", "not_finished", "not_allowed")}
    # The clock: a closed report, the answer that starts the finishing stage, officers' menu.
    keys |= {"followup.refused.closed", "card.status.closed", "notify.answer_due"}
    keys |= {f"commands.group.{c}" for c in GROUP_COMMANDS}
    return keys


def test_catalogues_have_the_same_keys() -> None:
    """Every text in both languages; a form for exactly one (``KEY.one``) only where the
    language needs it."""
    indonesian, english = (
        {k for k in load_messages(lang) if not k.endswith(".one")} for lang in LANGUAGES
    )
    assert indonesian == english, indonesian ^ english


@pytest.mark.parametrize("key", sorted(load_messages("id")))
def test_placeholders_match_between_languages(key: str) -> None:
    assert placeholders(load_messages("id")[key]) == placeholders(load_messages("en")[key])


def test_every_key_used_in_code_is_translated() -> None:
    used = _static_keys() | _dynamic_keys()
    assert len(used) > 60
    for lang in LANGUAGES:
        missing = used - set(load_messages(lang))
        assert not missing, f"{lang}: {sorted(missing)}"


def test_messages_fit_a_phone_screen_and_telegram() -> None:
    for lang in LANGUAGES:
        for key, text in load_messages(lang).items():
            assert len(text) <= 1000, (lang, key)


def test_translator_formats_named_placeholders() -> None:
    catalogs = Catalogs("id")
    assert "7KQ4-M2XD-P" in catalogs.get("id").t("status.not_found", number="7KQ4-M2XD-P")
    assert catalogs.get("en").t("nav.back") == "⬅️ Back"
    assert catalogs.get("xx").t("nav.back") == "⬅️ Kembali"


def test_the_kecamatan_step_says_a_desa_name_may_be_typed_there() -> None:
    """People know their desa better than their kecamatan; the place is searched kabupaten-wide,
    and the question must say so (a trainee did not dare type the desa there)."""
    for lang, word in (("id", "desa"), ("en", "village")):
        assert word in load_messages(lang)["intake.ask_kecamatan"].casefold(), lang


def test_english_counts_one_thing_in_the_singular_and_keeps_no_s_in_brackets() -> None:
    """A text that counts (``count``, ``days``, ``level``) has its "exactly one" form as
    ``KEY.one`` where the language needs one (English; Indonesian does not)."""
    en = Catalogs("en").get("en")
    assert en.t("clock.mark.late", days=1, date="Monday, 7 December 2026").startswith(
        "⚠️ 1 working day late"
    )
    assert "2 working days late" in en.t("clock.mark.late", days=2, date="x")
    assert "1 late report:" in en.t("clock.escalation.unit", unit="Desa Sepaso", count=1)
    assert "3 late reports:" in en.t("clock.escalation.unit", unit="Desa Sepaso", count=3)
    id_ = Catalogs("id").get("id")
    assert id_.t("clock.mark.late", days=1, date="x") == "⚠️ terlambat 1 hari kerja (tenggat x)"
    for key, text in load_messages("en").items():
        assert "(s)" not in text.replace("http(s)", ""), key


def test_a_singular_form_belongs_to_a_text_that_exists() -> None:
    for lang in LANGUAGES:
        messages = load_messages(lang)
        for key in messages:
            if key.endswith(".one"):
                assert key.removesuffix(".one") in messages, (lang, key)
