"""A report whose reporter asked for removal names them on no console page: the report page says
"dihapus atas permintaan" where the name was (storage/rights.py)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Report
from storage.rights import erase_reporter_identity
from tests.integration.test_console import Filed, World, filed, world

__all__ = ["filed", "world"]  # the fixtures of the console's tests


async def test_the_report_page_names_no_removed_reporter(world: World, filed: Filed) -> None:
    async with world.db.uow() as uow:
        report_id = await uow.session.scalar(
            select(Report.id).where(Report.tracking_no == filed.done)
        )
        assert report_id is not None
        assert await erase_reporter_identity(uow.session, report_id, "request", now=world.clock())
        await uow.commit()
    client = await world.client("diskominfo")
    try:
        page = await (await client.get(f"/laporan/{filed.done}")).text()
        assert "dihapus atas permintaan" in page
        assert "Siti" not in page
    finally:
        await client.close()
