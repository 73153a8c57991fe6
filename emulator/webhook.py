"""Webhook delivery, as Telegram does it: each pending update POSTed to the bot's URL.

An update leaves the queue only when the bot answered 2xx; otherwise it is tried again a moment
later and ``getWebhookInfo`` shows the last error, so a bot killed mid-request gets the update
again. Updates go one at a time, in order (Telegram's ``max_connections`` is remembered and
reported, not used: in-order delivery is what a bot must cope with first).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import aiohttp

from emulator.state import BotState

#: Pause after a failed delivery (Telegram waits longer; tests want it quick).
RETRY_SECONDS = 0.2
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookPusher:
    """One task per bot with a webhook; :func:`ensure` starts it, :meth:`stop` ends it."""

    def __init__(self, bot: BotState) -> None:
        self._bot = bot
        self._task = asyncio.create_task(self._run(), name=f"emulator-webhook-{bot.bot_id}")
        self.delivered = 0

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while self._bot.webhook_url and not self._bot.closed:
                batch = self._bot.pending(1)
                if not batch:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._bot.update_event.wait(), 1.0)
                    continue
                if not await self._deliver(session, batch[0]):
                    await asyncio.sleep(RETRY_SECONDS)

    async def _deliver(self, session: aiohttp.ClientSession, update: dict[str, object]) -> bool:
        bot = self._bot
        headers = {SECRET_HEADER: bot.webhook_secret} if bot.webhook_secret else {}
        try:
            async with session.post(bot.webhook_url, json=update, headers=headers) as response:
                ok = 200 <= response.status < 300
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            ok, error = False, f"Connection failed: {type(exc).__name__}"
        if ok:
            bot.updates = [u for u in bot.updates if u is not update]
            bot.confirmed += 1
            self.delivered += 1
            return True
        bot.webhook_last_error = (int(time.time()), error)
        return False


def ensure(bot: BotState) -> None:
    """Start (or restart) delivery for ``bot``'s current webhook."""
    if bot.webhook_pusher is None or bot.webhook_pusher._task.done():
        bot.webhook_pusher = WebhookPusher(bot)


async def stop(bot: BotState) -> None:
    pusher, bot.webhook_pusher = bot.webhook_pusher, None
    if pusher is not None:
        await pusher.stop()
