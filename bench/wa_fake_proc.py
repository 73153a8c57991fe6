"""The fake Graph API in a process of its own, for the burst of ``python -m bench whatsapp``: so
the sending process's CPU is the bot's alone, as Meta's servers are not on the bot's machine.

``python -m bench.wa_fake_proc THROUGHPUT PAIR_SECONDS PAIR_BURST OUT.json`` prints its base URL,
serves until SIGTERM, then writes what it took (``sent``) and refused (``refusals`` by code).
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

from emulator.whatsapp import FakeWhatsApp


async def serve(throughput: float, pair_seconds: float, pair_burst: float) -> dict[str, object]:
    # The burst measures pacing: every citizen is taken to have written within 24 hours.
    fake = FakeWhatsApp(
        per_second=throughput,
        pair_seconds=pair_seconds,
        pair_burst=pair_burst,
        enforce_window=False,
    )
    await fake.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(fake.base_url, flush=True)
    await stop.wait()
    await fake.stop()
    taken = [{"to": m.get("to"), "text": (m.get("text") or {}).get("body", "")} for m in fake.sent]
    return {"sent": taken, "refusals": dict(fake.refusals)}


if __name__ == "__main__":
    throughput, seconds, burst = (float(value) for value in sys.argv[1:4])
    Path(sys.argv[4]).write_text(json.dumps(asyncio.run(serve(throughput, seconds, burst))))
