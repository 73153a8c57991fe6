"""What officers and the reporter read after each action tells the truth (issue 26: 7, 10, 11).

On a real SQLite file (and PostgreSQL), without Telegram: the cards and notices queued in the
outbox are read back as the groups and the reporter would see them.
"""

from __future__ import annotations

from datetime import timedelta

from core.permissions import CaseAction
from handlers.case import Case
from handlers.notices import post_card
from tests.integration.case_world import DESA_CHAT, World, world  # noqa: F401 (a fixture)
from tests.integration.conftest import database_url, engine_name  # noqa: F401 (fixtures)
from tests.integration.conversation_driver import Driver, buttons, texts
from tests.integration.test_intake import USER
from tests.integration.test_officer_actions import REPORTER_CHAT, officer_act
from tests.security.test_event_words import driver, file_report  # noqa: F401 (a fixture)

KECAMATAN_CHAT = "-100300"


async def bind_kecamatan(world: World) -> str:  # noqa: F811
    """Bind a group to Kecamatan Bengalon (Sepaso's); its code."""
    async with world.db.uow() as uow:
        kecamatan = await uow.units.by_area("64.08.09")
        assert kecamatan is not None
        await uow.units.bind(
            kecamatan.id,
            channel="telegram",
            chat_id=KECAMATAN_CHAT,
            title="k",
            by="1",
            now=world.clock(),
        )
        await uow.commit()
        return kecamatan.code


async def card_now(world: World, report_id: int, chat_id: str) -> str:  # noqa: F811
    """The report's card as the group would get it now (no card is edited here: the outbox
    never sends, so there is no message to edit)."""
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        assert report.unit_id is not None
        unit = await uow.units.get(report.unit_id)
        chat = next(c for c in await uow.units.active_chats() if c.chat_id == chat_id)
        await post_card(Case(uow, world.deps, world.clock()), report, unit, chat)
        await uow.commit()
    return (await world.sent_to(chat_id))[-1]


async def test_after_verifying_the_card_says_it_was_accepted(world: World) -> None:  # noqa: F811
    report_id = await world.new_report()
    assert await officer_act(world, report_id, CaseAction.VERIFY) == ""
    card = await card_now(world, report_id, DESA_CHAT)
    assert "Status:" in card
    assert "belum ditanggapi" not in card
    assert "diverifikasi" in card.lower()
    assert "tindak lanjut pertama paling lambat" in card  # the deadline names its stage


async def test_the_new_unit_is_told_where_a_report_came_from_and_why(
    world: World,  # noqa: F811
) -> None:
    code = await bind_kecamatan(world)
    report_id = await world.new_report()
    await officer_act(world, report_id, CaseAction.VERIFY)
    refused = await officer_act(
        world, report_id, CaseAction.TRANSFER, to_code=code, note="Jalan kabupaten"
    )
    assert refused == ""
    card = (await world.sent_to(KECAMATAN_CHAT))[-1]
    assert "Dialihkan dari Desa Sepaso" in card  # from where (the place line names it anyway)
    assert "Alasan: Jalan kabupaten" in card  # why


async def test_a_transfer_before_verification_names_the_verification_deadline(
    world: World,  # noqa: F811
) -> None:
    code = await bind_kecamatan(world)
    report_id = await world.new_report()
    assert await officer_act(world, report_id, CaseAction.TRANSFER, to_code=code, note="x") == ""
    told = (await world.sent_to(REPORTER_CHAT))[-1]
    assert "dialihkan" in told
    assert "Tindak lanjut diharapkan" not in told
    assert "verifikasi paling lambat" in told


async def test_a_follow_up_date_is_the_rules_longest_not_a_promise(
    world: World,  # noqa: F811
) -> None:
    report_id = await world.new_report()
    await officer_act(world, report_id, CaseAction.VERIFY)
    await officer_act(world, report_id, CaseAction.NOTE, note="Besok pagi petugas datang")
    told = (await world.sent_to(REPORTER_CHAT))[-1]
    assert "Besok pagi petugas datang" in told
    assert "menurut aturan" in told


async def test_the_reporter_is_told_once_when_the_report_is_escalated(
    world: World,  # noqa: F811
) -> None:
    await world.new_report()  # Monday 2 March 2026: verify by Thursday the 5th
    before = len(await world.sent_to(REPORTER_CHAT))
    start = world.clock()
    escalations = 0
    for day in range(1, 10):
        escalations += (await world.round(start + timedelta(days=day))).get("escalations", 0)
    assert escalations >= 2  # escalated, and again later
    told = (await world.sent_to(REPORTER_CHAT))[before:]
    escalated = [text for text in told if "terlambat sejak" in text]
    assert len(escalated) == 1, told
    assert "Jumat, 6 Maret 2026" in escalated[0]


async def test_the_reporters_answer_names_the_deadline_that_runs_again(
    driver: Driver,  # noqa: F811
    world: World,  # noqa: F811
) -> None:
    report_id, number = await file_report(driver, world)
    world.clock.set(driver.clock.now)
    await world.act(report_id, CaseAction.VERIFY)
    await world.act(report_id, CaseAction.ASK, note="Di RT berapa?")
    question = await driver.new_actions()
    press = buttons([a for a in question if "Di RT berapa?" in str(a.get("text", ""))])
    await driver.press_data(USER, press["✍️ Balas / tambah info"])
    answer = texts(await driver.text(USER, "Di RT 05, dekat masjid."))[-1]
    assert number in answer
    assert "tindak lanjut pertama paling lambat" in answer  # the stage the answer resumes
