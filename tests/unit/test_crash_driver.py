"""The crash suite's driver (bench/crash.py): a failure ends the whole run, nothing left behind."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web

from bench.crash import SendLog, _wait, together
from bench.errors import BenchError


async def test_the_first_failure_stops_the_others_before_it_is_raised() -> None:
    """``asyncio.gather`` raises the first failure and leaves the rest running: the killer went on
    SIGKILLing and restarting bots after the fleet was stopped, and citizens called the emulator
    through a client already closed (which opened a session nobody closed)."""
    still_running = asyncio.Event()
    ended: list[str] = []

    async def citizen() -> None:
        await asyncio.sleep(0.01)
        raise BenchError("citizen 3: no answer")

    async def killer() -> None:
        try:
            still_running.set()
            await asyncio.sleep(3600)
        finally:
            ended.append("killer")

    with pytest.raises(BenchError, match="citizen 3"):
        await together(citizen(), killer())
    assert still_running.is_set()
    assert ended == ["killer"]


async def test_all_finish_and_a_cancellation_reaches_each() -> None:
    done: list[int] = []

    async def step(n: int) -> None:
        await asyncio.sleep(0.01 * n)
        done.append(n)

    await together(step(2), step(1))
    assert sorted(done) == [1, 2]

    ended: list[str] = []

    async def forever(name: str) -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            ended.append(name)

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(together(forever("a"), forever("b")), 0.05)
    assert sorted(ended) == ["a", "b"]


def test_a_message_is_known_by_the_text_it_was_sent_with() -> None:
    """The welcome sent twice (a SIGKILL between Telegram's answer and its record) and the newer
    copy edited by the citizen's press: the check must still see two welcomes, not a welcome and
    one message too many (the SQLite run's "citizen 50: more ['Selamat datang ...']")."""
    sends = SendLog()
    sent = {"message_id": 5, "chat": {"id": 42}, "text": "Selamat datang ... Apakah Anda setuju?"}
    sends._note_answer(web.json_response({"ok": True, "result": sent}))
    edited = {**sent, "text": "Terima kasih, persetujuan Anda tercatat."}
    sends._note_answer(web.json_response({"ok": True, "result": edited}))
    assert sends.sent_text[("42", 5)] == sent["text"]
    assert ("42", 5) in sends.answered


async def test_waiting_fails_on_a_stall_not_on_a_long_backlog(tmp_path: Path) -> None:
    """A day's notices for 1,000 reports take minutes to send from a process killed every few
    seconds: the wait goes on while the backlog shrinks, and fails only when it stops shrinking."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'wait.db'}"
    shrinking = iter([9, 8, 8, 7, 6, 5, 4, 3, 2, 1, 0])

    async def draining(_uow: object) -> int:
        return next(shrinking)

    # Eleven looks half a second apart: longer than the timeout, but the backlog kept shrinking.
    await _wait(url, draining, 1.2, "draining")

    async def stuck(_uow: object) -> int:
        return 5

    with pytest.raises(BenchError, match=r"5 left, none done in 1\.0s"):
        await _wait(url, stuck, 1.0, "stuck")


async def test_a_kept_workdir_of_an_earlier_run_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    # An earlier run's database in the folder would be taken for this run's: its unsent rows
    # and old reports would make the figures meaningless. The driver says so instead.
    from bench.crash import CrashConfig, run

    (tmp_path / "aduan.db").write_bytes(b"")
    config = CrashConfig(citizens=1, kills=0, engine="sqlite", workdir=tmp_path)
    with pytest.raises(BenchError, match="not empty"):
        await run(config)
    assert _names(tmp_path) == ["aduan.db"]


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())
