"""``python -m bench whatsapp``'s burst (bench/wa_burst.py): what Meta's limits allow for a
workload, and a small burst through the fake in its own process with both limits on."""

from __future__ import annotations

from pathlib import Path

from bench.wa_burst import WaWorkload, deliver, ideal_seconds
from bench.whatsapp import burst_lines


def test_the_ideal_is_the_throughput_or_the_slowest_pair_whichever_is_later() -> None:
    workload = WaWorkload(messages=800, heavy_chats=4, heavy_each=46)
    assert sum(workload.chats().values()) == 800
    assert ideal_seconds(workload, 80.0, 6.0, 45.0) == 10.0  # 800 / 80; 1 over the burst: 6 s
    slow = WaWorkload(messages=100, heavy_chats=1, heavy_each=50)
    assert ideal_seconds(slow, 80.0, 6.0, 45.0) == 30.0  # 5 after the burst, 6 s apart


async def test_a_burst_goes_out_under_both_limits_once_and_in_order(tmp_path: Path) -> None:
    # 40/s: the outbox's overall window never holds fewer than Telegram's 30 in a second, so a
    # fake slower than that would see a burst the worker thinks allowed.
    workload = WaWorkload(messages=120, heavy_chats=1, heavy_each=6)
    result = await deliver(workload, 40.0, tmp_path, pair=(0.5, 3.0))
    assert result.messages == 120
    assert result.refusals == {}  # neither 130429 nor 131056
    assert (result.missing, result.doubled, result.disordered) == (0, 0, 0)
    assert result.ideal_s == 3.0  # 120 / 40
    assert result.drain_s >= result.ideal_s * 0.9  # the fake's limits held the pace
    assert "130429 (throughput) 0" in "\n".join(burst_lines(result))
