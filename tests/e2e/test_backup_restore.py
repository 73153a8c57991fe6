"""``aduan backup`` beside the running bot, ``aduan restore`` into an empty place, and the
restored bot: the reports, photos, outbox and inbox come back, and it sends nothing twice.
``aduan notify`` through the outbox: a citizen hears the notice once, however often it is run.

The commands run through ``cli.main.main`` in this process (in a thread: it has its own event
loop), with the settings in the environment as a server's would be."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from cli.main import main
from emulator import EmulatorClient
from runtime.bootstrap import build_app
from runtime.settings import Settings
from tests.databases import database_on
from tests.e2e.conftest import RunningBot, Settle, Store, wait_settled
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import Scenario

#: Bot API calls that put something in front of a person.
SENDING = ("send", "edit", "pin", "answerCallbackQuery", "copyMessage", "forwardMessage")


async def sent_calls(telegram: EmulatorClient) -> int:
    methods = (await telegram.stats())["methods"]
    return sum(int(n) for name, n in methods.items() if name.startswith(SENDING))


def command_env(monkeypatch: pytest.MonkeyPatch, folder: Path, settings: Settings) -> None:
    """The settings a server's ``aduan`` would read (no stray ``.env``)."""
    monkeypatch.chdir(folder)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MEDIA_DIR", str(settings.media_dir))
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def hidden_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".")]


def same_bytes(one: Path, other: Path) -> bool:
    return one.read_bytes() == other.read_bytes()


async def aduan(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def photos_stored(store: Store, until: Callable[..., Awaitable[None]]) -> None:
    from sqlalchemy import select

    from storage.models import ReportPhoto

    async def stored() -> bool:
        async with store.sessions() as session:
            paths = list(await session.scalars(select(ReportPhoto.stored_path)))
        return bool(paths) and all(paths)

    await until(stored, 20)


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[RunningBot]:
    app = await build_app(settings)
    bot = RunningBot(app, asyncio.create_task(app.run()))
    try:
        yield bot
    finally:
        if not bot.task.done():
            await bot.stop()


async def test_a_backup_of_the_running_bot_restores_and_sends_nothing_twice(
    running_bot: RunningBot,
    bot_settings: Settings,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    settle: Settle,
    until: Callable[..., Awaitable[None]],
    engine_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = await Scenario.start(telegram, bot_settings.database_url, chat_of)
    number, _card = await scenario.file()
    await scenario.verify(number)
    await photos_stored(store, until)
    await settle()
    before = {
        "reports": [(r.tracking_no, r.status) for r in await store.reports()],
        "outbox": len(await store.outbox()),
        "inbox": len(await store.inbox()),
    }
    [original_photo] = files_under(bot_settings.media_dir)

    command_env(monkeypatch, tmp_path, bot_settings)
    archive = tmp_path / "cadangan.tar.gz"
    assert await aduan("backup", "-o", str(archive)) == 0  # the bot is still running
    said = capsys.readouterr().out
    assert "Cadangan tersimpan" in said, said
    assert "1 laporan" in said, said
    assert not hidden_files(tmp_path)  # no temporary left
    await running_bot.stop()
    calls_before = await sent_calls(telegram)

    restored_dir = tmp_path / "pulih"
    restored_dir.mkdir()
    async with database_on(engine_name, restored_dir) as restored_url:
        restored = bot_settings.model_copy(
            update={"database_url": restored_url, "media_dir": restored_dir / "media"}
        )
        command_env(monkeypatch, restored_dir, restored)
        assert await aduan("restore", str(archive)) == 0
        assert "dipulihkan: 1 laporan" in capsys.readouterr().out

        restored_store = Store(restored_url)
        try:
            assert [(r.tracking_no, r.status) for r in await restored_store.reports()] == before[
                "reports"
            ]
            assert len(await restored_store.outbox()) == before["outbox"]
            assert len(await restored_store.inbox()) == before["inbox"]
            assert all(m.sent_at for m in await restored_store.outbox())
            [copy] = files_under(restored.media_dir)
            assert same_bytes(copy, original_photo)
            [photo] = (await restored_store.reports())[0].photos
            assert photo.stored_path == str(copy)  # re-pointed into the new media folder

            async with running(restored):
                await wait_settled(telegram, restored_store, timeout=15)
                assert await sent_calls(telegram) == calls_before  # nothing sent again
                # The restored bot knows the citizen: the next /start greets them back.
                await scenario.citizen.send("/start", "Selamat datang kembali")
                await wait_settled(telegram, restored_store, timeout=15)
        finally:
            await restored_store.engine.dispose()


async def test_a_notice_reaches_each_citizen_once_even_when_sent_twice(
    running_bot: RunningBot,
    bot_settings: Settings,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    settle: Settle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = await Scenario.start(telegram, bot_settings.database_url, chat_of)
    first, _ = await scenario.file(privacy="Anonim")
    second, _ = await scenario.file()
    await settle()
    command_env(monkeypatch, tmp_path, bot_settings)
    listed = tmp_path / "laporan.txt"
    listed.write_text(f"# terdampak\n{first}\n{second.lower()}, {first}\n", encoding="utf-8")
    monkeypatch.setenv("DPO_NAME", "Rina Pelindung")
    monkeypatch.setenv("DPO_CONTACT", "ppid@kutaitimurkab.go.id")

    assert await aduan("notify", "--reports", str(listed)) == 0
    said = capsys.readouterr()
    assert "Pemberitahuan diantrekan untuk 1 warga (0 sudah" in said.out, said
    assert await aduan("notify", "--reports", str(listed)) == 0
    said = capsys.readouterr()
    assert "untuk 0 warga (1 sudah menerimanya" in said.out, said
    # The anonymous reporter's name and chat are never printed.
    for secret in (scenario.citizen.user.first_name, str(scenario.citizen.chat_id)):
        assert secret not in said.out + said.err
    await settle()
    notices = [t for t in await scenario.citizen.texts() if "insiden keamanan" in t]
    assert len(notices) == 1, notices
    assert "Rina Pelindung (ppid@kutaitimurkab.go.id)" in notices[0]

    # A number that names no report: nothing is queued for anyone.
    outbox = len(await store.outbox())
    listed.write_text(f"{first}\nXXXX-YYYY-9\n", encoding="utf-8")
    assert await aduan("notify", "--reports", str(listed), "--text", str(listed)) == 2
    assert "tidak ditemukan: XXXX-YYYY-9" in capsys.readouterr().err
    assert len(await store.outbox()) == outbox
