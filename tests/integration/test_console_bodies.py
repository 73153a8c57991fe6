"""Rujukan (``/rujukan``) in the console, on a real database (SQLite, and PostgreSQL when
``TEST_POSTGRES_URL`` is set): every unit reads the outside bodies; the coordinator adds, edits and
removes them (removing keeps the row, inactive, for the reports referred to it), each change
audited. Bad input: no name, a part longer than its column, a forged or removed number; a unit's
POST and a POST without the form token are 403 and change nothing."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from storage.models import ConsoleAudit, ReferralBody
from tests.integration.console_forms import post_form
from tests.integration.test_console_actions import Desk, desk

__all__ = ["desk"]  # the fixture

NAME = "Balai Zirkon"  # a body only this test adds


async def found(desk: Desk) -> ReferralBody | None:
    async with desk.db.sessions() as session:
        return await session.scalar(select(ReferralBody).where(ReferralBody.name.like("%Zirkon%")))


async def test_the_coordinator_keeps_the_outside_bodies(desk: Desk) -> None:
    rina = await desk.client("diskominfo", "Rina")
    desa = await desk.client("desa-64-08-09-2001", "Pak Kades")
    try:
        added = await post_form(
            rina,
            "/rujukan",
            {"name": NAME, "handles": "air bersih", "phone": "0549 123", "channel": "Lapor Zirkon"},
        )
        assert added.status == 200
        assert added.url.path == "/rujukan"
        body = await found(desk)
        assert body is not None
        assert body.active
        assert body.handles == "air bersih"
        read = await (await desa.get("/rujukan")).text()
        assert NAME in read
        assert "Lapor Zirkon" in read
        assert 'action="/rujukan/hapus"' not in read  # a unit reads, does not keep

        edited = await post_form(
            rina, "/rujukan", {"id": str(body.id), "name": f"{NAME} Baru", "address": "Jl. A"}
        )
        assert edited.status == 200
        body = await found(desk)
        assert body is not None
        assert body.name == f"{NAME} Baru"
        assert body.address == "Jl. A"
        assert body.handles == ""  # the form sends every part: an emptied one is emptied

        removed = await post_form(rina, "/rujukan/hapus", {"id": str(body.id)})
        assert removed.status == 200
        assert NAME not in await removed.text()
        body = await found(desk)
        assert body is not None
        assert not body.active  # kept for the reports referred to it
    finally:
        await rina.close()
        await desa.close()
    async with desk.db.sessions() as session:
        audit = list(await session.scalars(select(ConsoleAudit.subject)))
    assert f"tambah {body.id}" in audit
    assert f"ubah {body.id}" in audit
    assert f"hapus {body.id}" in audit


async def test_bad_bodies_and_other_hands_change_nothing(desk: Desk) -> None:
    rina = await desk.client("diskominfo", "Rina")
    desa = await desk.client("desa-64-08-09-2001", "Pak Kades")
    try:
        empty = await post_form(rina, "/rujukan", {"name": "  ", "handles": "air"})
        assert empty.status == 400
        assert "nama instansi wajib diisi" in await empty.text()
        long = await post_form(rina, "/rujukan", {"name": NAME, "phone": "1" * 81})
        assert long.status == 400
        assert '"Telepon" paling banyak 80 karakter' in unescape(await long.text())
        assert await found(desk) is None

        by_unit = await post_form(desa, "/rujukan", {"name": NAME})
        assert by_unit.status == 403
        no_token = await rina.post("/rujukan", data={"name": NAME})
        assert no_token.status == 403
        assert await found(desk) is None

        await post_form(rina, "/rujukan", {"name": NAME})
        body = await found(desk)
        assert body is not None
        assert (await post_form(desa, "/rujukan/hapus", {"id": str(body.id)})).status == 403
        for forged in ("987654", "x", ""):
            answer = await post_form(rina, "/rujukan/hapus", {"id": forged})
            assert answer.status == 404
            edit = await post_form(rina, "/rujukan", {"id": forged or "0", "name": "X"})
            assert edit.status == 404
        await post_form(rina, "/rujukan/hapus", {"id": str(body.id)})
        again = await post_form(rina, "/rujukan/hapus", {"id": str(body.id)})
        assert again.status == 404
    finally:
        await rina.close()
        await desa.close()
    assert "rujukan not_coordinator" in await desk.refused()
