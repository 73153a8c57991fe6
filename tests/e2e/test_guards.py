"""Only the right people act (issue 18): roles in a unit's group, guarded bindings.

The role table in ``core.roles`` drives these tests: each officer command is tried by a plain
member of the desa's group and must be allowed or refused exactly as the table says.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.roles import GroupAction, GroupRole, may
from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from storage.db import create_engine, session_factory
from storage.uow import UnitOfWork
from tests.e2e.conftest import RunningBot, Settle, Store
from tests.e2e.helpers import SITI, ChatOf, callback_data, tracking_number, walk_to
from tests.e2e.scenario import Scenario
from tests.e2e.units import (
    COORDINATOR_GROUP,
    KADES,
    KOORDINATOR,
    SEPASO,
    SEPASO_GROUP,
    STAF_DESA,
    card_in,
    code_for,
    event_kinds,
    file_report,
    more_of,
    reply,
    setup_groups,
    unit_chat,
)

BUDI = TgUser(id=1002, first_name="Budi")
MAGANG = TgUser(id=2101, first_name="Anak", last_name="Magang")
HIDDEN_GROUP = -1009001
REFUSED = "Maaf, hanya admin grup ini"
ZWSP = "\u200b"
NOW = datetime(2026, 11, 28, tzinfo=UTC)
SAMPAH_WITH_ZWSP = f"Sampah{ZWSP} menumpuk di depan pasar Sepaso, sudah seminggu tidak diangkut."

#: Every officer command a member might type, in an order the report's status allows.
COMMANDS: list[tuple[GroupAction, str, str]] = [
    (GroupAction.VIEW, "/antrian", "Laporan terbuka"),
    (GroupAction.VERIFY, "/verifikasi {n}", "diverifikasi"),
    (GroupAction.NOTE, "/tindaklanjut {n} Petugas dijadwalkan datang besok pagi.", "dicatat"),
    (GroupAction.ASK, "/tanya {n} Sejak kapan sampah menumpuk?", "sudah dikirim ke pelapor"),
    (GroupAction.TRANSFER, "/alihkan {n} dinas-pupr bukan wewenang desa", "dialihkan"),
    (GroupAction.ARCHIVE, "/arsipkan {n} spam", "diarsipkan"),
    (GroupAction.DONE, "/selesai {n} Sampah sudah diangkut.", "dinyatakan selesai"),
]


async def test_a_member_does_exactly_what_the_role_table_allows(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso = scenario.desa
    number, _ = await scenario.file()
    staff = ChatView(telegram, STAF_DESA, SEPASO_GROUP)

    done_by_member: list[str] = []
    for action, command, ok in COMMANDS:
        allowed = may(GroupRole.MEMBER, action)
        answer = await staff.send(command.format(n=number), ok if allowed else REFUSED)
        assert (REFUSED in answer["text"]) is not allowed, (action, answer["text"])
        if allowed and action != GroupAction.VIEW:
            done_by_member.append(action.value)
    kinds = await event_kinds(database_url)
    assert [k for k in kinds if k in {a.value for a, _, _ in COMMANDS}] == done_by_member

    # The admin-only buttons refuse a member too, and say why.
    await more_of(ChatView(telegram, STAF_DESA, SEPASO_GROUP), number)
    await telegram.press_button(STAF_DESA, "🗄 Arsipkan", chat_id=SEPASO_GROUP)
    await settle()
    [answer] = (await telegram.callback_answers(SEPASO_GROUP))[-1:]
    assert REFUSED in answer["text"]
    assert answer["show_alert"]

    # The village head (admin) may finish it.
    await sepaso.send(f"/selesai {number} Sampah sudah diangkut.", "dinyatakan selesai")


async def test_an_admin_does_everything_the_role_table_allows(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    # The commands that end a report each get a report of their own.
    closing = {GroupAction.TRANSFER, GroupAction.ARCHIVE, GroupAction.DONE}
    numbers = {action: await file_report(siti, telegram) for action in closing}
    main = numbers[GroupAction.DONE]
    for action, command, ok in COMMANDS:
        assert may(GroupRole.ADMIN, action)
        number = numbers.get(action, main)
        answer = await sepaso.send(command.format(n=number), ok)
        assert REFUSED not in answer["text"]


async def test_a_prompt_is_answered_by_whoever_opened_it_or_an_admin(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    number, _ = await scenario.file()
    await scenario.verify(number, by=STAF_DESA)
    staff = ChatView(telegram, STAF_DESA, SEPASO_GROUP)
    prompt = await staff.press("🔧 Tindak lanjut", "balas pesan ini")
    intruder = ChatView(telegram, MAGANG, SEPASO_GROUP)
    await telegram.register_chat(SEPASO_GROUP, members=[MAGANG.id])
    refused = await reply(
        intruder, prompt, "Sudah beres kok.", expect_in=sepaso, expect="dibuka petugas lain"
    )
    assert REFUSED in refused["text"]
    [report] = await store.reports()
    assert report.status == "didisposisi"
    # The officer who opened it answers it; the village head (admin) may answer anyone's.
    await reply(staff, prompt, "Besok petugas datang.", expect_in=siti, expect="Besok petugas")
    prompt = await sepaso.press("🔧 Tindak lanjut", "balas pesan ini")
    await reply(
        ChatView(telegram, KADES, SEPASO_GROUP),
        prompt,
        "Truk sampah dijadwalkan Kamis.",
        expect_in=siti,
        expect="Truk sampah dijadwalkan",
    )


async def test_only_coordinator_admins_issue_codes_and_a_second_group_waits_for_them(
    running_bot: RunningBot, telegram: EmulatorClient, database_url: str, settle: Settle
) -> None:
    coordinator, _, _ = await setup_groups(telegram, database_url)
    await telegram.register_chat(COORDINATOR_GROUP, members=[MAGANG.id])
    member = ChatView(telegram, MAGANG, COORDINATOR_GROUP)
    refused = await member.send("/kode diskominfo", REFUSED)
    assert "Kode pendaftaran" not in refused["text"]

    # A second coordinator group (a code from the server's CLI) waits for the coordinator.
    await telegram.register_chat(HIDDEN_GROUP, title="Grup Lain", admins=[MAGANG.id])
    hidden = ChatView(telegram, MAGANG, HIDDEN_GROUP)
    before = await coordinator.snapshot()
    await hidden.send(
        f"/daftar {await code_for(database_url, 'diskominfo')}", "menunggu persetujuan"
    )
    request = await coordinator.expect('"Grup Lain" minta didaftarkan', before)
    assert "sudah punya 1 grup" in request["text"]
    binding = await unit_chat(database_url, HIDDEN_GROUP)
    assert binding is not None
    assert not binding.active
    # Only the coordinator group's admins decide; a member's press is refused.
    await telegram.press_button(MAGANG, "❌ Tolak", chat_id=COORDINATOR_GROUP)
    await settle()
    [answer] = (await telegram.callback_answers(COORDINATOR_GROUP))[-1:]
    assert REFUSED in answer["text"]
    await hidden.do(
        lambda: telegram.press_button(KOORDINATOR, "❌ Tolak", chat_id=COORDINATOR_GROUP),
        "tidak menyetujui",
    )
    await coordinator.expect("Ditolak", before)
    binding = await unit_chat(database_url, HIDDEN_GROUP)
    assert binding is not None
    assert not binding.active

    # Asked again and approved: announced, with how many groups the unit now has.
    before = await coordinator.snapshot()
    await hidden.send(
        f"/daftar {await code_for(database_url, 'diskominfo')}", "menunggu persetujuan"
    )
    await coordinator.expect('"Grup Lain" minta didaftarkan', before)
    await hidden.do(
        lambda: telegram.press_button(KOORDINATOR, "✅ Setujui", chat_id=COORDINATOR_GROUP),
        "terdaftar untuk Diskominfo",
    )
    notice = await coordinator.expect("kini punya 2 grup", before)
    assert '"Grup Lain"' in notice["text"]
    # Released: announced too.
    before = await coordinator.snapshot()
    await hidden.send("/lepas", "tidak lagi terdaftar")
    await coordinator.expect('"Grup Lain" dilepas', before)
    binding = await unit_chat(database_url, HIDDEN_GROUP)
    assert binding is not None
    assert not binding.active


async def test_a_button_sent_to_one_citizen_does_nothing_in_another_citizens_chat(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, store: Store, settle: Settle
) -> None:
    siti, budi = chat_of(SITI), chat_of(BUDI)
    budi_screen = await walk_to(budi, "type", consent=True)
    siti_screen = await walk_to(siti, "type", consent=True)
    # Budi's "Pengaduan" data, pressed on Siti's screen: the same step, but not her button.
    await telegram.press(
        SITI,
        int(siti_screen["message_id"]),
        callback_data(budi_screen, "Pengaduan"),
        force=True,  # a modified client sends any data for a message in its chat
    )
    await settle()
    [answer] = (await telegram.callback_answers(SITI.id))[-1:]
    assert answer["text"] == "Tombol ini tidak dikenali."
    assert all("Pilih kategori" not in text for text in await siti.texts())
    # Her own button works.
    await siti.press("Pengaduan", "Pilih kategori")


async def test_invisible_text_and_a_point_abroad_are_not_accepted(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    settle: Settle,
) -> None:
    # Air Bersih goes to an unbound OPD, so to the coordinator's group.
    group, _, _ = await setup_groups(telegram, database_url)
    siti = chat_of(SITI)
    await walk_to(siti, "gps", consent=True)
    outside = await siti.do(lambda: telegram.send_location(SITI, 51.5072, -0.1276), "di luar")
    assert "Lewati lokasi" in outside["text"]
    await siti.do(lambda: telegram.send_location(SITI, 1.0523, 117.5931), "Ceritakan masalahnya")
    short = await siti.send(ZWSP * 25, "terlalu singkat")
    assert "(0 karakter)" in short["text"]
    await siti.send(SAMPAH_WITH_ZWSP, "Kirim foto bukti")
    await siti.press("Lewati ➡️", "Pilih kerahasiaan")
    await siti.press("Biasa", "Periksa laporan Anda")
    number = tracking_number(await siti.press("📨 Kirim laporan", "Nomor laporan:"))
    card = await card_in(group, number)
    await siti.do(
        lambda: telegram.press_button(KOORDINATOR, "✅ Verifikasi", chat_id=COORDINATOR_GROUP),
        "sudah diverifikasi",
    )

    # Officers' questions and answers of only invisible characters do not reach the citizen.
    seen = await siti.snapshot()
    await group.send(f"/tanya {number} {ZWSP * 10}", "Tuliskan pertanyaannya")
    await reply(group, card, ZWSP * 10, expect_in=group, expect="Mohon tulis teksnya")
    await settle()
    assert await siti.snapshot() == seen


async def test_an_officer_the_unit_named_may_finish_and_archive_without_being_admin(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    await setup_groups(telegram, database_url)
    await telegram.register_chat(SEPASO_GROUP, members=[MAGANG.id])
    await name_officer(database_url, SEPASO, STAF_DESA.id)
    siti = chat_of(SITI)
    await siti.consent()
    first = await file_report(siti, telegram)
    second = await file_report(siti, telegram)
    staff = ChatView(telegram, STAF_DESA, SEPASO_GROUP)
    intern = ChatView(telegram, MAGANG, SEPASO_GROUP)
    refused = await intern.send(f"/arsipkan {first} spam", "petugas yang ditunjuk unit")
    assert REFUSED in refused["text"]
    await staff.send(f"/arsipkan {first} spam", "diarsipkan")
    await staff.send(f"/verifikasi {second}", "diverifikasi")
    await staff.send(f"/selesai {second} Sampah sudah diangkut.", "dinyatakan selesai")
    # Binding stays with the group's Telegram admins.
    await staff.send("/lepas", REFUSED)


async def name_officer(database_url: str, area_code: str, user_id: int) -> None:
    """Name an officer of the area's unit, as ``aduan units officers UNIT --add ID`` does."""
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            unit = await uow.units.by_area(area_code)
            assert unit is not None
            await uow.units.name_officer(
                unit.id, channel="telegram", user_id=str(user_id), name="", by="test", now=NOW
            )
            await uow.commit()
    finally:
        await engine.dispose()
