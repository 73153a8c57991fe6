"""WhatsApp's templates (bot.wa_templates): the file is checked when it is read (an unknown
parameter stops ``aduan run`` and the CLI, not a send); ``aduan whatsapp templates`` prints what
to submit; outside the 24-hour window the channel sends a notice's template, or refuses with
``no_template``; the fake Graph API refuses what Meta refuses (131047, 132001, 132000)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pywa.types.templates import TemplateLanguage
from pywa_async.errors import WhatsAppError

from bot.channels.errors import PermanentError
from bot.channels.whatsapp_channel import WhatsAppChannel
from bot.wa_templates import PARAMETERS, TemplateConfigError, load_templates
from cli.whatsapp import describe
from emulator.whatsapp import FakeWhatsApp
from handlers.wa_notice import NOTICE_VALUES
from locales import Catalogs
from runtime.settings import Settings
from runtime.whatsapp import whatsapp_templates

TO = "6281234567890"
ROOT = Path(__file__).resolve().parents[2]


def _file(tmp_path: Path, body: str, parameters: str, notices: str = '"notify.verified"') -> Path:
    path = tmp_path / "templates.toml"
    path.write_text(
        f'[[template]]\nname = "aduan_x"\nlanguage = "id"\nbody = "{body}"\n'
        f"parameters = [{parameters}]\nnotices = [{notices}]\n",
        encoding="utf-8",
    )
    return path


def test_the_bundled_templates_are_valid_and_cover_the_notices() -> None:
    settings = Settings(_env_file=None)
    book = whatsapp_templates(settings, Catalogs())
    for key in ("notify.verified", "notify.answer", "notify.question", "notify.done"):
        assert book.for_notice(key, "id") is not None, key
        assert book.for_notice(key, "en") is not None, key
    assert book.for_notice("notify.nothing", "id") is None
    assert set(PARAMETERS) == set(NOTICE_VALUES)


@pytest.mark.parametrize(
    ("body", "parameters", "notices", "problem"),
    [
        ("Laporan {{1}}", '"nomor"', '"notify.verified"', "unknown parameter 'nomor'"),
        ("Laporan {{1}} {{2}}", '"number"', '"notify.verified"', "placeholders [1, 2]"),
        ("Laporan", '"number"', '"notify.verified"', "placeholders [] but 1"),
        ("Laporan {{1}}", '"number"', '"notify.verifed"', "unknown notice 'notify.verifed'"),
    ],
)
def test_a_wrong_templates_file_is_refused_when_read(
    tmp_path: Path, body: str, parameters: str, notices: str, problem: str
) -> None:
    settings = Settings(
        _env_file=None, whatsapp_templates_file=_file(tmp_path, body, parameters, notices)
    )
    with pytest.raises(TemplateConfigError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        whatsapp_templates(settings, Catalogs())


def test_the_command_prints_what_to_submit_and_refuses_a_bad_file(tmp_path: Path) -> None:
    text = describe(load_templates(), Catalogs().get("id"))
    assert "Nama: aduan_kabar_laporan" in text
    assert "Kategori: Utilitas (UTILITY)" in text
    assert "{{1}} = K7QM-2XPA-4" in text
    assert "Dipakai untuk: notify.verified" in text

    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATABASE_URL": "sqlite+aiosqlite://"}
    ok = subprocess.run(
        [sys.executable, "-m", "cli.main", "whatsapp", "templates"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "Templat 1 dari 6" in ok.stdout
    bad = _file(tmp_path, "Laporan {{1}}", '"nomor"')
    refused = subprocess.run(
        [sys.executable, "-m", "cli.main", "whatsapp", "templates"],
        cwd=ROOT,
        env={**env, "WHATSAPP_TEMPLATES_FILE": str(bad)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "tidak bisa dipakai" in refused.stderr
    assert "unknown parameter 'nomor'" in refused.stderr


# --- the channel and the fake, outside the window -------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeWhatsApp]:
    server = FakeWhatsApp(templates={("aduan_kabar_laporan", "id"): 2})
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def shut(fake: FakeWhatsApp, tmp_path: Path) -> AsyncIterator[WhatsAppChannel]:
    """A channel whose every chat's window is shut."""

    async def window(_chat_id: str) -> bool:
        return False

    made = WhatsAppChannel(
        phone_number_id=fake.phone_number_id,
        token=fake.access_token,
        app_secret=fake.app_secret,
        verify_token="v",
        api_url=fake.base_url,
        media_dir=tmp_path,
        window=window,
        templates=load_templates(),
    )
    yield made
    await made.close()


def _notice(key: str) -> dict[str, object]:
    values = {"number": "K7QM-2XPA-4", "status": "Sedang diproses"}
    return {
        "ops": [{"op": "text", "to": TO, "text": "Laporan Anda sudah diverifikasi."}],
        "notice": {"key": key, "language": "id", "values": values},
    }


async def test_outside_the_window_the_notice_goes_as_its_template(
    fake: FakeWhatsApp, shut: WhatsAppChannel
) -> None:
    result = await shut.call("whatsapp", _notice("notify.verified"))
    assert result[0]["held"] == "template"
    template = fake.sent[-1]["template"]
    assert template["name"] == "aduan_kabar_laporan"
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params == ["K7QM-2XPA-4", "Sedang diproses"]


async def test_outside_the_window_without_a_template_nothing_goes(
    fake: FakeWhatsApp, shut: WhatsAppChannel
) -> None:
    with pytest.raises(PermanentError, match="whatsapp no_template"):
        await shut.call("whatsapp", {"ops": [{"op": "text", "to": TO, "text": "Halo"}]})
    with pytest.raises(PermanentError, match="whatsapp 132001"):  # not approved on the fake
        await shut.call("whatsapp", _notice("notify.answer"))
    assert fake.sent == []


async def test_the_fake_refuses_what_meta_refuses_outside_the_window(fake: FakeWhatsApp) -> None:
    channel = WhatsAppChannel(
        phone_number_id=fake.phone_number_id,
        token=fake.access_token,
        app_secret=fake.app_secret,
        verify_token="v",
        api_url=fake.base_url,
        media_dir=Path("/nonexistent"),
    )
    try:
        text = {"ops": [{"op": "text", "to": TO, "text": "Halo"}]}
        with pytest.raises(PermanentError, match="whatsapp 131047"):
            await channel.call("whatsapp", text)
        fake.webhook_body(TO, "Rina", {"type": "text", "text": {"body": "Halo"}})
        assert await channel.call("whatsapp", text)  # the citizen wrote: the window is open
        fake.last_inbound[TO] -= 24 * 3600
        with pytest.raises(PermanentError, match="whatsapp 131047"):
            await channel.call("whatsapp", text)
        # A template with the wrong number of parameters (Meta: 132000).
        with pytest.raises(WhatsAppError) as wrong:
            await channel.client.send_template(
                to=TO, name="aduan_kabar_laporan", language=TemplateLanguage("id"), params=[]
            )
        assert wrong.value.code == 132000
    finally:
        await channel.close()


def test_aduan_run_refuses_to_start_with_a_wrong_templates_file(tmp_path: Path) -> None:
    from cli.whatsapp import check

    tr = Catalogs().get("id")
    bad = _file(tmp_path, "Laporan {{1}}", '"nomor"')
    on = Settings(_env_file=None, whatsapp_phone_number_id="1", whatsapp_templates_file=bad)
    assert "unknown parameter 'nomor'" in check(on, tr)
    assert check(on.model_copy(update={"whatsapp_templates_file": None}), tr) == ""
    assert check(Settings(_env_file=None, whatsapp_templates_file=bad), tr) == ""  # WhatsApp off


def test_every_notice_to_a_reporter_has_a_template_in_both_languages() -> None:
    """A notice named in the rules or the conversations (``"notify.…"``) goes as a template
    outside the window, rather than waiting for the citizen, in Indonesian and English."""
    import re

    named = {
        found
        for folder in ("core", "handlers")
        for path in (ROOT / folder).rglob("*.py")
        for found in re.findall(r'"(notify\.[a-z_.]+)"', path.read_text(encoding="utf-8"))
    }
    assert "notify.verified" in named
    book = load_templates()
    missing = [
        (key, lang)
        for key in sorted(named)
        for lang in ("id", "en")
        if not any(t.language == lang and key in t.notices for t in book.templates)
    ]
    assert missing == []
