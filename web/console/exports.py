"""Exports of a filtered report list, ready to hand on: CSV (``;`` by default, for a
spreadsheet set to Indonesian; ``csv_koma`` with commas), XLSX, the full export (``lengkap``,
XLSX), the SP4N-LAPOR! sheet (XLSX) and the rekap (XLSX: the period's indicators per unit).

Columns are documented in docs/console.md. Only the SP4N-LAPOR! sheet may name a reporter, as
the viewer's own console does (:mod:`web.console.handover`); every other file names none. The
rows are read a batch at a time; CSV is streamed to the client as it is written, XLSX is written
by openpyxl in its write-only mode (:mod:`web.console.sheets`) and sent when complete.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date

from openpyxl import Workbook

from locales import Translator
from storage.console import ReportQuery, stream_reports
from storage.models import Unit
from web.console.cells import cell_value
from web.console.config import ConsoleConfig
from web.console.context import SessionFactory
from web.console.handover import full_xlsx, lapor_xlsx
from web.console.rekap import rekap_xlsx
from web.console.rows import ReportRow, load_rows
from web.console.sheets import SheetValue, TableSheet, columns_of, saved

FORMATS = ("csv", "csv_koma", "xlsx", "lengkap", "lapor", "rekap")
#: The CSV formats and their separators: ``;`` is what a spreadsheet set to Indonesian (where
#: the comma is the decimal sign) splits columns on; commas for any other.
CSV_SEPARATORS = {"csv": ";", "csv_koma": ","}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The list's columns and their widths in XLSX (characters).
REPORT_COLUMNS = {
    "tracking": 14,
    "created": 12,
    "verified": 12,
    "followed_up": 14,
    "finished": 12,
    "type": 18,
    "category": 26,
    "kecamatan": 18,
    "desa": 20,
    "unit": 32,
    "status": 20,
    "working_days": 10,
    "late": 10,
    "rating": 10,
    "supporters": 10,
}


def _day(value: date | None) -> date | str:
    return value if value else ""


def report_headers(tr: Translator) -> list[str]:
    return [tr.t(f"console.col.{name}") for name in REPORT_COLUMNS]


def report_values(tr: Translator, row: ReportRow) -> list[SheetValue]:
    """A report's row (dates as dates: XLSX writes date cells, CSV ISO dates)."""
    r, h = row.report, row.handling
    return [
        r.tracking_no,
        row.created_on,
        _day(h.verify.ended_on),
        _day(h.follow_up.ended_on),
        _day(h.finish.ended_on),
        tr.t(f"console.type.{r.report_type}"),
        row.category,
        row.kecamatan,
        row.desa,
        row.unit,
        tr.t(f"console.status.{r.status}"),
        row.working_days,
        tr.t("console.yes") if row.late_ever else tr.t("console.no"),
        r.rating if r.rating is not None else "",
        row.supporters,
    ]


def _csv_cell(value: SheetValue) -> str | int | float | None:
    return value.isoformat() if isinstance(value, date) else cell_value(value)


async def csv_chunks(
    tr: Translator, batches: AsyncIterator[list[ReportRow]], separator: str = ";"
) -> AsyncIterator[bytes]:
    """The CSV, a batch of rows at a time (UTF-8 with a BOM, so spreadsheets read the accents;
    ``separator`` between the cells); every cell data, not a formula (web.console.cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(map(cell_value, report_headers(tr)))
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for rows in batches:
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            writer.writerow(map(_csv_cell, report_values(tr, row)))
        yield buffer.getvalue().encode()


def file_name(kind: str, first: date, last: date) -> str:
    stem = {"lapor": "sp4n-lapor", "rekap": "rekap", "lengkap": "laporan-lengkap"}.get(
        kind, "laporan"
    )
    suffix = "csv" if kind in CSV_SEPARATORS else "xlsx"
    return f"{stem}-{first.isoformat()}-{last.isoformat()}.{suffix}"


async def row_batches(
    sessions: SessionFactory,
    query: ReportQuery,
    units: dict[int, Unit],
    config: ConsoleConfig,
    tr: Translator,
) -> AsyncIterator[list[ReportRow]]:
    """The query's rows a batch at a time, in a session of their own."""
    async with sessions() as session:
        async for reports in stream_reports(session, query):
            yield await load_rows(session, reports, units, config, tr.language)


async def _list_xlsx(
    tr: Translator,
    config: ConsoleConfig,
    sessions: SessionFactory,
    query: ReportQuery,
    units: dict[int, Unit],
) -> bytes:
    book = Workbook(write_only=True)
    sheet = TableSheet(book, tr.t("console.export.sheet"), columns_of(tr, REPORT_COLUMNS))
    async for rows in row_batches(sessions, query, units, config, tr):
        for row in rows:
            sheet.append(report_values(tr, row))
    sheet.close()
    return saved(book)


async def xlsx_export(
    kind: str,
    tr: Translator,
    config: ConsoleConfig,
    sessions: SessionFactory,
    query: ReportQuery,
    units: dict[int, Unit],
    first: date,
    last: date,
) -> bytes:
    """The ``xlsx``, ``lengkap``, ``lapor`` or ``rekap`` workbook of the query's reports."""
    if kind == "xlsx":
        return await _list_xlsx(tr, config, sessions, query, units)
    if kind == "lengkap":
        return await full_xlsx(tr, config, sessions, query, units)
    if kind == "lapor":
        return await lapor_xlsx(tr, config, sessions, query, units)
    today = config.clock().astimezone(config.timezone).date()
    return await rekap_xlsx(tr, sessions, query, units, (first, last), today)
