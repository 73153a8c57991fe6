"""Nothing a person writes is lost (issue 12): every answer, reply and question reaches its report.

Each test walks the chat the way people do it — typing instead of replying, replying the instant
a message appears, tapping a button under the unit's answer — through the emulator with the real
bot on both frameworks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from tests.e2e.conftest import RunningBot, Store, wait_until
from tests.e2e.helpers import SITI, labels
from tests.e2e.scenario import Scenario
from tests.e2e.units import KADES, SEPASO_GROUP, STAF_DESA, reply

ChatOf = Callable[[TgUser], ChatView]


async def _asked(
    telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> tuple[ChatView, ChatView, str]:
    """Siti's report, verified by the desa, which asked her a question (answered by a reply)."""
    scenario = await Scenario.start(telegram, database_url, chat_of)
    number, _ = await scenario.file()
    await scenario.verify(number)  # the card's buttons changed too
    # The prompt is answered by the officer who opened it (here the village head): a plain
    # member's reply to someone else's prompt is refused (docs/roles.md).
    await scenario.ask("Di RT berapa tepatnya?")
    return scenario.citizen, scenario.desa, number


async def test_a_typed_answer_to_a_question_reaches_the_unit(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    """Defect 1: the citizen types the answer (no Telegram reply, no "Balas" button)."""
    siti, sepaso, number = await _asked(telegram, chat_of, database_url)
    [report] = await store.reports()
    assert report.status == "menunggu_pelapor"
    relayed = await sepaso.do(
        lambda: telegram.send_text(SITI, "RT 05, dekat masjid."), "Pesan dari pelapor"
    )
    assert "RT 05, dekat masjid." in relayed["text"]
    told = await siti.expect(number, {})
    assert "Silakan pilih menu di bawah, atau ketik /bantuan." not in told["text"]
    [report] = await store.reports()
    assert report.status == "didisposisi"


async def test_the_units_final_answer_stays_in_the_citizens_chat(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
) -> None:
    """Defect 3: confirming the work is done asks for a rating in a new message."""
    scenario = await Scenario.start(telegram, database_url, chat_of)
    siti, sepaso = scenario.citizen, scenario.desa
    number, _ = await scenario.file()
    await scenario.verify(number)  # the card's buttons changed too
    prompt = await sepaso.press("🏁 Selesai", "jawaban akhir")
    answer = "Sampah sudah diangkut truk kecamatan pagi ini."
    done = await reply(sepaso, prompt, answer, expect_in=siti, expect="sudah selesai")
    rating = await siti.press("👍 Sudah selesai", "Seberapa puas")
    assert rating["message_id"] != done["message_id"]
    [kept] = [m for m in await siti.messages() if m["message_id"] == done["message_id"]]
    assert answer in kept["text"]
    assert labels(kept) == []  # answered: its buttons are gone, its words stay


async def test_an_officer_who_types_after_a_prompt_is_heard(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    """Defect 4: the officer who pressed ❓ Minta info types the question without replying."""
    scenario = await Scenario.start(telegram, database_url, chat_of)
    siti, sepaso = scenario.citizen, scenario.desa
    number, _ = await scenario.file()
    await scenario.verify(number)  # the card's buttons changed too
    await sepaso.press("❓ Minta info", "balas pesan ini dengan pertanyaan")
    # Another officer chatting in between is not taken as the question.
    await telegram.send_text(STAF_DESA, "Pak, saya ke lokasi siang ini.", chat_id=SEPASO_GROUP)
    question = await siti.do(
        lambda: telegram.send_text(KADES, "Sejak kapan sampahnya?", chat_id=SEPASO_GROUP),
        "Sejak kapan sampahnya?",
    )
    assert "membutuhkan informasi tambahan" in question["text"]
    assert "saya ke lokasi" not in "\n".join(await siti.texts())
    [report] = await store.reports()
    assert report.status == "menunggu_pelapor"


async def test_a_reply_the_instant_a_message_appears_waits_for_its_link(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    """Defect 2: the outbox records a sent message's link 0.3 s after Telegram has shown it.

    Everyone replies inside that window; each reply reaches its report once the link is there.
    """

    async def slow_recording() -> None:
        await asyncio.sleep(0.3)

    running_bot.app.outbox.before_link = slow_recording
    hidden = TgUser(id=7770002, first_name="Rahmat", last_name="Hidayat")
    scenario = await Scenario.start(telegram, database_url, chat_of, citizen=hidden)
    citizen, sepaso = scenario.citizen, scenario.desa
    await scenario.file(privacy="Anonim")
    # Pressed by hand, not scenario.verify: the reply goes out the moment the notice shows.
    notice = await citizen.do(
        lambda: telegram.press_button(KADES, "✅ Verifikasi", chat_id=SEPASO_GROUP),
        "sudah diverifikasi",
    )
    # The citizen replies to the notice the moment it shows.
    relayed = await sepaso.do(
        lambda: telegram.send_text(
            hidden, "Sampahnya makin banyak.", reply_to=int(notice["message_id"])
        ),
        "Pesan dari pelapor",
    )
    assert "Rahmat" not in relayed["text"]
    # The officer replies to the relayed message the moment it shows.
    await citizen.do(
        lambda: telegram.send_text(
            KADES,
            "Kami cek besok pagi.",
            chat_id=SEPASO_GROUP,
            reply_to=int(relayed["message_id"]),
        ),
        "Kami cek besok pagi.",
    )
    [report] = await store.reports()
    assert "reporter_info" in [e.kind for e in report.events]


async def test_an_update_the_framework_cannot_parse_stops_nobody(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, store: Store
) -> None:
    """Defect 6: updates a framework's models reject, between two good ones."""
    siti = chat_of(SITI)
    budi = TgUser(id=1002, first_name="Budi")
    await siti.send("/start", "Apakah Anda setuju?")
    await chat_of(budi).send("/start", "Apakah Anda setuju?")
    before = await chat_of(budi).snapshot()
    # A reply whose replied message lacks fields aiogram requires (an older Bot API server).
    await telegram.raw_update(
        "message",
        {
            "message_id": 900,
            "date": 1_700_000_000,
            "chat": {"id": budi.id, "type": "private", "first_name": "Budi"},
            "from": budi.as_json(),
            "text": "halo",
            "reply_to_message": {"message_id": 899, "extra_field_from_the_future": True},
        },
    )
    # A membership change whose member has no user (a Bot API a version behind).
    await telegram.raw_update(
        "my_chat_member",
        {
            "chat": {"id": -1009999, "type": "supergroup", "title": "Grup lain"},
            "from": budi.as_json(),
            "date": 1_700_000_000,
            "old_chat_member": {"status": "left"},
            "new_chat_member": {"status": "member"},
        },
    )
    await siti.press("✅ Saya setuju", "Silakan pilih menu di bawah.")
    await chat_of(budi).expect("Apakah Anda setuju?", before)
    await siti.send("/bantuan", "")

    async def all_handled() -> bool:
        inbox = await store.inbox()
        return len(inbox) == 6 and all(row.processed_at is not None for row in inbox)

    await wait_until(all_handled)


async def test_a_typed_message_with_open_reports_asks_which_report(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    """The class rule: after consent, a typed message is never met by the menu alone."""
    scenario = await Scenario.start(telegram, database_url, chat_of)
    siti, sepaso = scenario.citizen, scenario.desa
    number, _ = await scenario.file()
    which = await siti.send("Sampahnya sudah sampai jalan.", "Pesan ini untuk laporan mana?")
    assert labels(which) == [f"📄 {number}", "📝 Buat laporan baru"]
    relayed = await sepaso.do(
        lambda: telegram.press_button(SITI, f"📄 {number}"), "Pesan dari pelapor"
    )
    assert "Sampahnya sudah sampai jalan." in relayed["text"]
    await siti.expect("sudah diteruskan ke petugas", {})
