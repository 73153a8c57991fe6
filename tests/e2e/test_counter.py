"""Lapor atas nama warga end to end, on both frameworks and both engines: an officer of the
desa's group files a report for a citizen at the counter in a private chat with the bot (/loket),
through the same intake steps as a citizen; the card says who took it and names the citizen,
never the officer; the slip carries the number and a claim code; the citizen claims the report in
their own chat, and the unit's verification reaches that chat. Bad input: a non-officer's
/loket, a wrong code, a claim of a report already claimed, codes tried too many times."""

from __future__ import annotations

import re

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from tests.e2e.conftest import RunningBot, Settle, Store
from tests.e2e.helpers import ChatOf, JsonDict
from tests.e2e.scenario import FORWARDED, VERIFIED, Scenario
from tests.e2e.units import KADES, SEPASO_GROUP, STAF_DESA, card_in, file_report

CITIZEN_NAME = "Ibu Marni Lestari"
PHONE = "0812 3456 7890"
BUDI = TgUser(id=1077, first_name="Budi")
CODE = re.compile(r"Kode klaim: ([A-Z0-9]{6})")


async def file_at_counter(
    scenario: Scenario, staff: ChatView, *, privacy: str = "Biasa"
) -> tuple[str, str, JsonDict]:
    """The desa's staff member (known in its group) files for Ibu Marni at the counter; the
    report's number, its claim code, and the card in the desa's group."""
    group = ChatView(scenario.telegram, STAF_DESA, SEPASO_GROUP)
    await group.send("/antrian", "laporan terbuka")  # the bot knows her as the unit's member
    await staff.send("/loket", "Siapa nama warga")
    await staff.send(CITIZEN_NAME, "Nomor telepon")
    await staff.send(PHONE, "diterima lewat mana")
    await staff.press("🏢 Di loket", "Apa jenis laporan Anda?")
    number = await file_report(staff, scenario.telegram, privacy=privacy, opened=True)
    slip = next(t for t in await staff.texts() if "Tanda terima" in t)
    found = CODE.search(slip)
    assert found, slip
    assert f"/klaim {number} {found.group(1)}" in slip
    card = await card_in(scenario.desa, number, showing="Diterima di loket oleh Dewi")
    return number, found.group(1), card


async def test_an_officer_files_at_the_counter_and_the_citizen_claims_it(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    settle: Settle,
    store: Store,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    staff, siti = chat_of(STAF_DESA), scenario.citizen
    await staff.consent()  # the officer's own chat with the bot, as any chat starts
    number, code, card = await file_at_counter(scenario, staff)

    assert f"{CITIZEN_NAME} ({PHONE})" in card["text"]  # the citizen, never the officer
    report = next(r for r in await store.reports() if r.tracking_no == number)
    assert report.channel == "loket"  # how it came, until it is claimed
    reporter = next(c for c in await store.citizens() if c.id == report.citizen_id)
    assert (reporter.name, reporter.phone, reporter.chat_id) == (CITIZEN_NAME, PHONE, "")
    assert str(STAF_DESA.id) not in reporter.user_id

    # A wrong code, then the right one: the report is Siti's to follow from now on.
    await siti.send(f"/klaim {number} ABCDEF", "tidak cocok")
    await siti.send(f"/klaim {number} {code.lower()}", "terhubung dengan chat ini")
    await siti.send(f"/klaim {number} {code}", "sudah terhubung dengan chat ini")
    budi = chat_of(BUDI)
    await budi.consent()
    await budi.send(f"{number} {code}", "sudah diikuti dari akun Telegram lain")

    # The unit verifies: the notice reaches Siti's chat, and nobody else's.
    await scenario.verify(number)
    await settle()
    assert not any(VERIFIED in t for t in await budi.texts())
    assert not any(VERIFIED in t for t in await staff.texts())
    claimed = next(r for r in await store.reports() if r.tracking_no == number)
    assert claimed.channel != "loket"
    # The claim is a step on the timeline (once: the second /klaim changed nothing), by the
    # reporter, naming the way the report came and not who claimed it.
    [event] = [e for e in claimed.events if e.kind == "claimed"]
    assert (event.actor, event.note) == ("pelapor", "loket")
    mine = await siti.send("/laporansaya", number)
    assert number in mine["text"]


async def test_counter_bad_input_is_answered_politely(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    siti = scenario.citizen
    await siti.send("/loket", "hanya untuk petugas unit")  # not an officer
    staff = chat_of(STAF_DESA)  # no consent of her own needed to file for someone
    number, code, card = await file_at_counter(scenario, staff, privacy="Anonim")
    assert CITIZEN_NAME not in card["text"]  # anonymity holds at the counter too
    assert PHONE not in card["text"]
    await staff.send("/loket", "Siapa nama warga")
    await staff.send("x", "Nama perlu 2 sampai 100 huruf")
    await staff.send("Pak Darto", "Nomor telepon")
    await staff.send("nomor saya", "belum terbaca")
    await staff.send("/batal", "")

    await siti.send("/klaim", "kirim nomor laporan dan kode klaim")
    wrong = "BBBBBB" if code != "BBBBBB" else "CCCCCC"
    for _ in range(4):
        await siti.send(f"/klaim {number} {wrong}", "tidak cocok")
    await siti.send(f"/klaim {number} {wrong}", "terlalu sering salah")
    # Held: even the right code waits, and the report stays unclaimed.
    await siti.send(f"/klaim {number} {code}", "terlalu sering salah")
    report = next(r for r in await store.reports() if r.tracking_no == number)
    assert report.channel == "loket"


async def test_the_units_question_reaches_the_officer_who_filed_and_their_reply_is_the_answer(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    """Not yet claimed, the citizen has no chat: ❓ Minta info goes to the officer who filed the
    report (call the citizen), and the officer's reply to it is recorded as the citizen's answer."""
    scenario = await Scenario.start(telegram, database_url, chat_of)
    staff = chat_of(STAF_DESA)
    number, _, _ = await file_at_counter(scenario, staff)
    desa = scenario.desa
    before = await staff.snapshot()
    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=desa.chat_id)
    await card_in(desa, number, showing=FORWARDED)
    told = await staff.expect(VERIFIED, before)  # every notice for her comes to the officer
    assert "Mohon sampaikan kepada warga" in str(told["text"])
    prompt = await desa.press("❓ Minta info", "balas pesan ini dengan pertanyaan")
    question = "Di RT berapa tumpukan sampahnya?"
    before = await staff.snapshot()
    await telegram.send_text(
        desa.user, question, chat_id=desa.chat_id, reply_to=int(prompt["message_id"])
    )
    asked = await staff.expect(question, before)
    text = str(asked["text"])
    assert number in text, text
    assert "hubungi warga" in text, text
    assert CITIZEN_NAME in text, text
    waiting = next(r for r in await store.reports() if r.tracking_no == number)
    assert waiting.status == "menunggu_pelapor"

    # The officer called Ibu Marni and replies with her answer: the unit hears it as hers.
    before = await desa.snapshot()
    await telegram.send_text(
        STAF_DESA, "RT 05, dekat pos ronda", chat_id=STAF_DESA.id, reply_to=int(asked["message_id"])
    )
    relayed = await desa.expect("RT 05, dekat pos ronda", before)
    assert "Pesan dari pelapor" in str(relayed["text"])
    answered = next(r for r in await store.reports() if r.tracking_no == number)
    assert answered.status != "menunggu_pelapor"  # the clock runs again
