"""WhatsApp's overall rate is a lane of its own beside Telegram's (runtime.pacing): a burst on
one does not use the other's second, a pause of one leaves the other going, and WhatsApp's
answer to a stale press is a counted reply in its chat's pair bucket."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from runtime.outbox_rows import send_row_of
from runtime.pacing import FloodLimits, FloodScheduler, Plannable, plan_round

LIMITS = FloodLimits(
    per_second=30.0,
    chat_per_second=1.0,
    channel_chat=(("whatsapp", 1 / 6, 45),),
    channel_overall=(("whatsapp", 80.0),),
)


def _rows(channel: str, count: int, *, reply: bool = False) -> list[Plannable]:
    return [Plannable((channel, f"{n + 1}"), True, reply=reply) for n in range(count)]


def test_a_telegram_burst_leaves_whatsapps_second_untouched_and_back() -> None:
    scheduler = FloodScheduler(LIMITS)
    telegram, whatsapp = _rows("telegram", 100), _rows("whatsapp", 100)
    plan, waiting = plan_round([*telegram, *whatsapp], scheduler, 0.0)
    sent = {
        ch: sum(len(q) for k, q in plan.items() if k[0] == ch) for ch in ("telegram", "whatsapp")
    }
    # Each lane's burst (Telegram's half a second's worth, WhatsApp's few sends' worth:
    # test_pacing_spacing), the replies' reserve kept, not one shared one.
    assert sent["telegram"] == 15 - LIMITS.reserve
    assert sent["whatsapp"] == 4 - 1
    assert waiting  # the rest waits for its own lane
    # And back: WhatsApp's burst leaves Telegram's second as it was.
    other = FloodScheduler(LIMITS)
    plan_round(_rows("whatsapp", 100), other, 0.0)
    assert other.global_allowance(0.0, "whatsapp") == 1  # its replies' reserve
    assert other.global_allowance(0.0) == 15
    # A pause of Telegram's lane (a 429 from many chats) does not stop WhatsApp's.
    later = FloodScheduler(LIMITS)
    later.pause_all(30.0, 0.0)
    assert later.global_allowance(1.0) == 0
    assert later.global_allowance(1.0, "whatsapp") == 4
    assert later.ready_at(("whatsapp", "9"), 1.0) == 1.0
    assert later.ready_at(("telegram", "9"), 1.0) >= 30.0


def test_whatsapps_second_holds_at_most_its_80() -> None:
    scheduler = FloodScheduler(LIMITS)
    total = 0
    for tick in range(11):  # one second in tenths
        plan, _ = plan_round(_rows("whatsapp", 200, reply=True), scheduler, tick / 10)
        for key, queue in plan.items():
            for _row in queue:
                scheduler.sending(key, tick / 10)
                scheduler.returned(key, tick / 10)
        total += sum(len(q) for q in plan.values())
    assert 40 <= total <= 80


def _outbox_row(channel: str, payload: dict[str, Any]) -> Any:
    row = SimpleNamespace(
        channel=channel,
        chat_id="628111",
        payload=payload,
        id=1,
        attempts=0,
        report_id=None,
        purpose="",
        link_action="",
    )
    return cast(Any, row)


def test_a_stale_press_answer_on_whatsapp_is_a_counted_reply() -> None:
    alert = {"kind": "answer_button", "callback_id": "wa:628111", "text": "x", "alert": True}
    quiet = {**alert, "alert": False, "text": ""}
    on_whatsapp = send_row_of(_outbox_row("whatsapp", alert))
    assert (on_whatsapp.counted, on_whatsapp.reply) == (True, True)
    assert not send_row_of(_outbox_row("whatsapp", quiet)).counted  # sends nothing
    assert not send_row_of(_outbox_row("telegram", alert)).counted  # Telegram's alert box
