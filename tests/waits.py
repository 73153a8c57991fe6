"""Waiting on a background worker's own signal (runtime/worker.py) instead of a pause."""

from __future__ import annotations

import asyncio

from runtime.worker import Worker


async def until_asleep(worker: Worker, *, after: int = 0, timeout: float = 30.0) -> None:
    """Until ``worker`` has finished more than ``after`` rounds and sleeps with no wake pending:
    whatever it was woken for is done, and it does nothing more on its own until its idle time
    is over. Fails when that does not happen within ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (worker.rounds > after and worker.asleep):
        if loop.time() > deadline:
            raise TimeoutError(
                f"{type(worker).__name__} not asleep within {timeout}s "
                f"({worker.rounds} rounds, waited for more than {after})"
            )
        await asyncio.sleep(0.005)
