"""Both channel adapters against the loopback emulator: the same errors and the same rule for
confirming updates, whichever framework ``BOT_FRAMEWORK`` picks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.channels.base import Channel
from bot.channels.errors import (
    ChannelError,
    ChatMigrated,
    IgnorableError,
    PermanentError,
    RetryAfter,
    TransientError,
)
from bot.channels.polling import LongPolling, backoff
from emulator import EmulatorClient, TgUser
from tests.emulated import FRAMEWORKS

SITI = TgUser(id=1001, first_name="Siti")
Update = dict[str, Any]


async def refusal(call: Awaitable[Any]) -> tuple[type[ChannelError], str]:
    with pytest.raises(ChannelError) as raised:
        await call
    return type(raised.value), raised.value.description


async def test_refusals_are_classified_alike_in_telegram_s_own_words(
    channel: Channel, telegram: EmulatorClient
) -> None:
    await telegram.send_text(SITI, "/start")
    sent = await channel.call("sendMessage", {"chat_id": SITI.id, "text": "halo"})
    assert sent["text"] == "halo"
    same_edit = {"chat_id": SITI.id, "message_id": sent["message_id"], "text": "halo"}
    assert await refusal(channel.call("editMessageText", same_edit)) == (
        IgnorableError,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    await telegram.fault(429, method="sendMessage", retry_after=4)
    with pytest.raises(RetryAfter) as flood:
        await channel.call("sendMessage", {"chat_id": SITI.id, "text": "lagi"})
    assert (flood.value.seconds, flood.value.description) == (4, "Too Many Requests: retry after 4")
    await telegram.fault(502, method="sendMessage")
    failed = await refusal(channel.call("sendMessage", {"chat_id": SITI.id, "text": "lagi"}))
    assert failed[0] is TransientError
    await telegram.block(SITI.id)
    assert await refusal(channel.call("sendMessage", {"chat_id": SITI.id, "text": "x"})) == (
        PermanentError,
        "Forbidden: bot was blocked by the user",
    )


async def test_a_migrated_group_names_its_new_id(
    channel: Channel, telegram: EmulatorClient
) -> None:
    await telegram.register_chat(-3001, "group")
    await telegram.migrate_group(-3001, -1003001)
    with pytest.raises(ChatMigrated) as migrated:
        await channel.call("sendMessage", {"chat_id": -3001, "text": "kartu"})
    assert migrated.value.new_chat_id == -1003001
    assert migrated.value.description == "Bad Request: group chat was upgraded to a supergroup chat"


async def test_downloads_and_me(channel: Channel, telegram: EmulatorClient) -> None:
    photo = b"\xff\xd8\xff\xe0 foto jalan rusak" * 10
    sent = await telegram.send_photo(SITI, photo)
    assert await channel.download(sent["photo"][-1]["file_id"]) == photo
    with pytest.raises(PermanentError):
        await channel.download("no-such-file")
    me = await channel.me()
    assert me["is_bot"] is True
    assert me["username"]


async def polled(
    channel: Channel, on_update: Callable[[Update], Awaitable[None]]
) -> asyncio.Task[None]:
    return asyncio.create_task(channel.start_polling(on_update))


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not await check():  # noqa: ASYNC110 (the emulator is asked over HTTP)
            await asyncio.sleep(0.02)


async def until_confirmed(telegram: EmulatorClient, stored: list[Update]) -> None:
    """Until an update was stored and the emulator holds none unconfirmed."""

    async def done() -> bool:
        return bool(stored) and await telegram.pending_updates() == []

    await eventually(done)


def recorder(into: list[Update]) -> Callable[[Update], Awaitable[None]]:
    """An ``on_update`` that stores into a list."""

    async def store(update: Update) -> None:
        into.append(update)

    return store


async def test_an_update_is_confirmed_only_after_it_was_stored(
    channel: Channel, telegram: EmulatorClient
) -> None:
    stored: list[Update] = []
    entered, release = asyncio.Event(), asyncio.Event()

    async def store(update: Update) -> None:
        entered.set()
        await release.wait()
        stored.append(update)

    polling = await polled(channel, store)
    await telegram.send_text(SITI, "halo")
    await telegram.send_text(SITI, "apa kabar")
    await asyncio.wait_for(entered.wait(), 10)
    asked = (await telegram.stats())["methods"]["getUpdates"]

    async def asked_again() -> bool:
        stats = await telegram.stats()
        return bool(stats["methods"]["getUpdates"] > asked or stats["updates_confirmed"])

    # The loop is inside the first store. One that fetched ahead would ask again (so confirm)
    # within its long poll (1 s here): watch for that call, and fail the moment it comes. A loop
    # that waits for the store gives no sign of waiting, so the watch is bounded.
    with pytest.raises(TimeoutError):
        await eventually(asked_again, timeout=1.5)
    assert [u["message"]["text"] for u in await telegram.pending_updates()] == [
        "halo",
        "apa kabar",
    ]
    release.set()
    await until_confirmed(telegram, stored)
    assert [u["message"]["text"] for u in stored] == ["halo", "apa kabar"]
    await channel.stop()
    await asyncio.wait_for(polling, 5)


async def test_a_failing_store_is_retried_and_not_confirmed_meanwhile(
    channel: Channel, telegram: EmulatorClient
) -> None:
    attempts: list[int] = []
    stored: list[Update] = []

    async def flaky(update: Update) -> None:
        attempts.append(update["update_id"])
        if len(attempts) < 3:
            assert [u["update_id"] for u in await telegram.pending_updates()] == [
                update["update_id"]
            ]
            raise RuntimeError("database is locked")
        stored.append(update)

    polling = await polled(channel, flaky)
    await telegram.send_text(SITI, "halo")
    await until_confirmed(telegram, stored)
    assert len(set(attempts)) == 1
    assert len(attempts) == 3
    await channel.stop()
    await asyncio.wait_for(polling, 5)


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_batch_is_stored_at_once_and_confirmed_only_after_it_was(
    open_channel: Callable[[str], Channel], telegram: EmulatorClient, framework: str
) -> None:
    """With ``on_batch`` every getUpdates batch goes to one call (one transaction in the bot);
    while that call fails, no update of the batch is confirmed, and then all of them are."""
    channel = open_channel(framework)
    for text in ("halo", "apa kabar", "lapor"):
        await telegram.send_text(SITI, text)
    batches: list[list[Update]] = []
    failures = 0

    async def one_by_one(update: Update) -> None:
        raise AssertionError("the batch handler stores every batch")

    async def store(batch: list[Update]) -> None:
        nonlocal failures
        if failures < 2:
            failures += 1
            assert len(await telegram.pending_updates()) == 3
            raise RuntimeError("database is locked")
        batches.append(batch)

    polling = asyncio.create_task(channel.start_polling(one_by_one, store))
    stored: list[Update] = []

    async def done() -> bool:
        stored[:] = [u for batch in batches for u in batch]
        return bool(stored) and await telegram.pending_updates() == []

    await eventually(done)
    assert failures == 2
    assert [len(batch) for batch in batches] == [3]
    assert [u["message"]["text"] for u in stored] == ["halo", "apa kabar", "lapor"]
    await channel.stop()
    await asyncio.wait_for(polling, 5)
    await channel.close()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_an_update_never_stored_comes_again_after_a_restart(
    open_channel: Callable[[str], Channel], telegram: EmulatorClient, framework: str
) -> None:
    first = open_channel(framework)
    tried = asyncio.Event()

    async def broken(update: Update) -> None:
        tried.set()
        raise OSError("disk full")

    polling = await polled(first, broken)
    sent = await telegram.send_text(SITI, "halo")
    await asyncio.wait_for(tried.wait(), 10)
    await first.stop()  # a graceful stop while the store keeps failing
    await asyncio.wait_for(polling, 5)
    await first.close()

    second = open_channel(framework)
    received: list[Update] = []
    polling = await polled(second, recorder(received))
    await until_confirmed(telegram, received)
    assert [u["message"]["message_id"] for u in received] == [sent["message_id"]]
    await second.stop()
    await asyncio.wait_for(polling, 5)
    await second.close()


async def test_getupdates_failures_are_waited_out(
    channel: Channel, telegram: EmulatorClient
) -> None:
    await telegram.fault(502, method="getUpdates", count=2)
    await telegram.fault(429, method="getUpdates", retry_after=1)
    received: list[Update] = []
    polling = await polled(channel, recorder(received))
    await telegram.send_text(SITI, "halo")
    await until_confirmed(telegram, received)
    assert (await telegram.stats())["errors"] == {"502": 2, "429": 1}
    await channel.stop()
    await asyncio.wait_for(polling, 5)


def test_backoff_doubles_up_to_the_maximum() -> None:
    assert [backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 5.0]


async def test_a_stop_before_polling_starts_means_no_polling() -> None:
    calls: list[str] = []

    async def fetch(offset: int | None, timeout: int) -> list[Update]:
        calls.append("getUpdates")
        return []

    async def call(method: str, params: dict[str, Any]) -> Any:
        calls.append(method)

    async def store(update: Update) -> None:
        raise AssertionError("nothing to store")

    polling = LongPolling(fetch, call, timeout=1)
    polling.stop()
    await asyncio.wait_for(polling.run(store), 1)
    assert calls == []
