"""The fake Graph API's status webhooks (``emulator.whatsapp``): after each message it accepts,
it posts that message's statuses to the bot, signed, as Meta does (``sent``, ``delivered``).

A test may change what comes: :meth:`StatusWebhooks.fail_next` makes the next message to a user
fail with an error code; :attr:`StatusWebhooks.order` rearranges (or repeats) a message's
statuses before they go, as Meta's may arrive out of order and more than once.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]
#: One status of one message: (status, error code, error title).
Status = tuple[str, int | None, str]


@dataclass
class StatusWebhooks:
    enabled: bool = True
    order: Callable[[list[Status]], list[Status]] = list
    #: What was posted: (wamid, status, the bot's HTTP answer).
    posted: list[tuple[str, str, int]] = field(default_factory=list)
    _failures: dict[str, deque[tuple[int, str]]] = field(default_factory=lambda: defaultdict(deque))
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def fail_next(self, to: str, code: int, title: str = "Message failed") -> None:
        """The next message to ``to`` is accepted, then fails on its way with ``code``."""
        self._failures[to].append((code, title))

    def statuses_for(self, to: str) -> list[Status]:
        if self._failures[to]:
            code, title = self._failures[to].popleft()
            return self.order([("sent", None, ""), ("failed", code, title)])
        return self.order([("sent", None, ""), ("delivered", None, "")])

    def after_send(
        self,
        message: JsonDict,
        phone_number_id: str,
        post: Callable[[bytes], Awaitable[int]],
    ) -> None:
        """Post the statuses of a message just accepted, one webhook each, in the background."""
        if not self.enabled:
            return
        to, wamid = str(message.get("to", "")), str(message["id"])
        statuses = self.statuses_for(to)
        task = asyncio.create_task(self._post(wamid, to, statuses, phone_number_id, post))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(
        self,
        wamid: str,
        to: str,
        statuses: list[Status],
        phone_number_id: str,
        post: Callable[[bytes], Awaitable[int]],
    ) -> None:
        for status, code, title in statuses:
            body = status_body(phone_number_id, wamid, to, status, code, title)
            try:
                answer = await post(body)
            except Exception:  # the bot is stopping: Meta would try later, a test does not
                answer = 0
            self.posted.append((wamid, status, answer))

    async def settled(self) -> None:
        """Until every status webhook started so far has been answered."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))


def status_body(
    phone_number_id: str, wamid: str, to: str, status: str, code: int | None, title: str
) -> bytes:
    """A status webhook as Meta posts it."""
    item: JsonDict = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": to,
    }
    if code is not None:
        item["errors"] = [{"code": code, "title": title, "message": title}]
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": phone_number_id},
        "statuses": [item],
    }
    entry = {"id": "WABA", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()
