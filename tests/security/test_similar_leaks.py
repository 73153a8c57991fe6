"""Laporan serupa must not leak (security review, finding 3).

The offer, made to anyone who starts a report of the same category in the same desa, shows only
reports the unit verified and whose reporter chose biasa, without the address detail or when it
was filed. A supporter hears of the unit's work in their own words and, of the unit's words, only
the final answer meant for the public: never a follow-up note, a question to the reporter or a
reply addressed to the reporter (those quote the reporter's name, house and phone).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import update

from core.permissions import CaseAction
from core.tracking import new_tracking_number
from handlers.case import Case, Officer
from handlers.formatting import short_datetime
from handlers.officer_actions import answer_reporter
from storage.models import Citizen, Report
from storage.supporters import SupporterRepository
from tests.integration.case_world import World, world  # noqa: F401 (a fixture)
from tests.integration.conftest import database_url, engine_name  # noqa: F401 (fixtures)
from tests.integration.conversation_driver import Driver, buttons, texts
from tests.integration.test_intake import consent

SNOOPER = 6006
SUPPORTER_CHAT = "7007"
OFFER = "laporan serupa"
ADDRESS = "Gang Mawar, depan rumah Bu Siti no. 5"
NOTE = "Sudah kami cek ke rumah Bu Siti (no. 5, HP 0812-5555-0101), besok diangkut."
QUESTION = "Bu Siti, sampahnya di sebelah kiri atau kanan rumah Ibu?"
REPLY = "Bu Siti, terima kasih fotonya, nomor Ibu 0812-5555-0101 sudah kami catat."
ANSWER = "Sampah di Gang Mawar sudah diangkut truk DLH; jadwal angkut kini tiap Senin."


@pytest.fixture
async def driver(world: World) -> AsyncIterator[Driver]:  # noqa: F811 (the fixture above)
    """The conversations on the world's database, on the world's clock."""
    d = Driver(world.db.url)
    await d.start()
    world.clock.set(d.clock.now)
    yield d
    await d.close()


async def reported(world: World, privacy: str, *, verified: bool) -> Report:  # noqa: F811
    """Another citizen's report in Desa Sepaso, with an address detail; verified or not."""
    report_id = await world.new_report()
    async with world.db.uow() as uow:
        await uow.session.execute(
            update(Report)
            .where(Report.id == report_id)
            .values(privacy=privacy, address_detail=ADDRESS, tracking_no=new_tracking_number())
        )
        await uow.commit()
    if verified:
        await world.act(report_id, CaseAction.VERIFY)
    return await world.report(report_id)


async def offer_to_snooper(d: Driver) -> list[dict[str, Any]]:
    """A citizen starts a report of the same category in the same desa, up to the location."""
    await consent(d, SNOOPER)
    b = buttons(await d.text(SNOOPER, "📝 Laporan baru"))
    b = buttons(await d.press_data(SNOOPER, b["Pengaduan"]))
    b = buttons(await d.press_data(SNOOPER, b["Sampah & Lingkungan"]))
    b = buttons(await d.press_data(SNOOPER, b["Bengalon"]))
    b = buttons(await d.press_data(SNOOPER, b["Sepaso"]))
    await d.press_data(SNOOPER, b["Lewati ➡️"])
    return await d.text(SNOOPER, "Lewati lokasi ➡️")


def offered(actions: list[dict[str, Any]]) -> str:
    return "\n".join(t for t in texts(actions) if OFFER in t)


async def test_an_unverified_anonim_report_is_not_offered(world: World, driver: Driver) -> None:  # noqa: F811
    report = await reported(world, "anonim", verified=False)
    actions = await offer_to_snooper(driver)
    assert offered(actions) == ""
    assert report.tracking_no not in "\n".join(texts(actions))
    assert not [label for label in buttons(actions) if label.startswith("👍 Dukung")]
    assert "Ceritakan masalahnya" in "\n".join(texts(actions))  # the intake simply goes on


async def test_an_unverified_biasa_report_is_not_offered(world: World, driver: Driver) -> None:  # noqa: F811
    await reported(world, "biasa", verified=False)
    assert offered(await offer_to_snooper(driver)) == ""


@pytest.mark.parametrize("privacy", ["anonim", "rahasia"])
async def test_a_verified_anonim_or_rahasia_report_is_not_offered(
    world: World,  # noqa: F811
    driver: Driver,
    privacy: str,
) -> None:
    report = await reported(world, privacy, verified=True)
    assert report.status == "didisposisi"
    actions = await offer_to_snooper(driver)
    assert offered(actions) == ""
    assert report.tracking_no not in "\n".join(texts(actions))


async def test_a_verified_biasa_report_is_offered_without_address_or_time(
    world: World,  # noqa: F811
    driver: Driver,
) -> None:
    report = await reported(world, "biasa", verified=True)
    shown = offered(await offer_to_snooper(driver))
    for what in (report.tracking_no, "Sampah & Lingkungan", "Sepaso", "Sudah diteruskan ke unit"):
        assert what in shown, what
    for secret in ("Gang Mawar", "Bu Siti", "Sejak", report.description):
        assert secret not in shown, secret
    tz = world.deps.config.timezone
    filed = short_datetime(report.created_at, tz, "id")
    assert filed not in shown
    assert filed.split()[3] not in shown  # not even the minute ("10.00")


async def test_supporting_then_looking_up_shows_no_time_of_filing_either(
    world: World,  # noqa: F811
    driver: Driver,
) -> None:
    """The offer leaves out when the report was filed; the supporter's /status must too."""
    report = await reported(world, "biasa", verified=True)
    offer = buttons(await offer_to_snooper(driver))
    await driver.press_data(SNOOPER, offer["👍 Dukung laporan ini (no. 1)"])
    shown = texts(await driver.text(SNOOPER, f"/status {report.tracking_no}"))[0]
    assert "yang Anda dukung" in shown
    assert "Riwayat:" in shown
    assert "Gang Mawar" not in shown
    assert re.search(r"\d{1,2}[.:]\d{2}", shown) is None, shown  # no hour and minute anywhere


async def supporter_of(world: World, report_id: int) -> None:  # noqa: F811
    now = world.clock()
    async with world.db.uow() as uow:
        citizen = Citizen(
            channel="telegram",
            user_id=SUPPORTER_CHAT,
            chat_id=SUPPORTER_CHAT,
            consent_at=now,
            consent_version="1",
            created_at=now,
        )
        supporter = await uow.citizens.add(citizen)
        assert await SupporterRepository(uow.session).add(report_id, supporter.id, now)
        reporter = await uow.citizens.by_id((await world.report(report_id)).citizen_id)
        assert reporter is not None
        reporter.name = "Siti Aminah"
        await uow.commit()


async def officer_replies(world: World, report_id: int, text: str) -> None:  # noqa: F811
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        assert report.unit_id is not None
        unit = await uow.units.get(report.unit_id)
        assert unit is not None
        officer = Officer(user_id="7", name="Dewi", unit=unit)
        case = Case(uow, world.deps, world.clock())
        assert await answer_reporter(case, report, officer, text, []) == ""
        await uow.commit()


async def test_a_supporter_gets_the_public_answer_never_notes_questions_or_replies(
    world: World,  # noqa: F811
) -> None:
    report = await reported(world, "biasa", verified=True)
    await supporter_of(world, report.id)
    await world.act(report.id, CaseAction.ASK, QUESTION)
    await world.reporter_answers(report.id)
    await world.act(report.id, CaseAction.NOTE, NOTE)
    await officer_replies(world, report.id, REPLY)
    reporter_got = "\n".join(await world.sent_to("42"))
    for said in (QUESTION, NOTE, REPLY):
        assert said in reporter_got  # the reporter hears all of it
    before_done = "\n".join(await world.sent_to(SUPPORTER_CHAT))
    for secret in ("Bu Siti", "0812", "no. 5", "sebelah kiri"):
        assert secret not in before_done, secret
    assert "sedang ditindaklanjuti" in before_done  # the step itself, without the note

    await world.act(report.id, CaseAction.DONE, ANSWER)
    [done] = (await world.sent_to(SUPPORTER_CHAT))[-1:]
    assert f"Kabar laporan {report.tracking_no} yang Anda dukung" in done
    assert ANSWER in done
    assert "Apakah masalah Anda" not in done  # the confirmation is the reporter's


async def test_the_public_answer_reaches_supporters_without_the_reporters_name(
    world: World,  # noqa: F811
) -> None:
    report = await reported(world, "anonim", verified=True)
    await supporter_of(world, report.id)
    await world.act(report.id, CaseAction.DONE, "Terima kasih Bu Siti Aminah, sudah diangkut.")
    done = (await world.sent_to(SUPPORTER_CHAT))[-1]
    assert "sudah diangkut" in done
    assert "Siti" not in done
    assert "Aminah" not in done
    assert "[disembunyikan]" in done
