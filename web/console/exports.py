"""Exports of a filtered report list: CSV, XLSX, the SP4N-LAPOR! sheet (XLSX), and the rekap
(XLSX: the period's indicators per unit, the table a Bupati's report needs).

Columns are documented in docs/console.md. No export names the reporter, whatever the report's
privacy: the only people who may see an identity see it on the report's card, and a file, once
downloaded, can go anywhere. The rows are read a batch at a time; CSV is streamed to the client as
it is written, XLSX is written by openpyxl in its write-only mode (rows go to a temporary file, not
to memory) and sent when complete.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date

from openpyxl import Workbook

from core.deadlines import UNIT_STAGES
from core.lifecycle import SP4N_TERMS, Privacy
from core.performance import Indicators, Tally
from locales import Translator
from storage.console import (
    ReportQuery,
    day_counts,
    photo_positions,
    stream_reports,
    tallies,
    with_days,
)
from storage.models import Report, Unit
from web.console.cells import cell_value, xlsx_row
from web.console.config import ConsoleConfig
from web.console.context import SessionFactory
from web.console.rows import ReportRow, load_rows

FORMATS = ("csv", "xlsx", "lapor", "rekap")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

REPORT_COLUMNS = (
    "tracking",
    "created",
    "verified",
    "followed_up",
    "finished",
    "type",
    "category",
    "kecamatan",
    "desa",
    "unit",
    "status",
    "working_days",
    "late",
    "rating",
    "supporters",
)

LAPOR_COLUMNS = (
    "title",
    "content",
    "classification",
    "category",
    "kabupaten",
    "kecamatan",
    "desa",
    "location",
    "date",
    "anonymous",
    "confidential",
    "attachments",
    "agency",
    "lapor_status",
    "tracking",
)

LAPOR_CLASS = {
    "pengaduan": "Pengaduan",
    "aspirasi": "Aspirasi",
    "permintaan_informasi": "Permintaan Informasi",
}


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def report_headers(tr: Translator) -> list[str]:
    return [tr.t(f"console.col.{name}") for name in REPORT_COLUMNS]


def report_values(tr: Translator, row: ReportRow) -> list[str | int]:
    r, h = row.report, row.handling
    return [
        r.tracking_no,
        row.created_on.isoformat(),
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


def lapor_headers() -> list[str]:
    # SP4N-LAPOR!'s own field names: the sheet is for staff who enter or bulk-load it there.
    return [
        "Judul Laporan",
        "Isi Laporan",
        "Klasifikasi",
        "Kategori",
        "Kabupaten/Kota",
        "Kecamatan",
        "Desa/Kelurahan",
        "Lokasi",
        "Tanggal",
        "Anonim",
        "Rahasia",
        "Lampiran",
        "Instansi Tujuan",
        "Status SP4N-LAPOR!",
        "Nomor Pelacakan Kanal Aduan",
    ]


def lapor_values(config: ConsoleConfig, row: ReportRow, photos: Sequence[int]) -> list[str]:
    """The report as SP4N-LAPOR! asks for it; ``photos`` are the positions of its stored photos,
    each linked as the console serves it (``/laporan/{number}/foto/{position}``)."""
    r = row.report
    place = row.desa or row.kecamatan or config.regions.root.name
    title = f"{row.category} — {place}"
    location = r.address_detail
    if r.latitude is not None and r.longitude is not None:
        location = f"{location} ({r.latitude:.6f}, {r.longitude:.6f})".strip()
    base = config.public_url.rstrip("/")
    attachments = " ".join(f"{base}/laporan/{r.tracking_no}/foto/{n}" for n in photos)
    return [
        title,
        r.description,
        LAPOR_CLASS.get(r.report_type, r.report_type),
        row.category,
        config.regions.root.name,
        row.kecamatan,
        row.desa,
        location,
        row.created_on.isoformat(),
        "Ya" if r.privacy == Privacy.ANONIM else "Tidak",
        "Ya" if r.privacy == Privacy.RAHASIA else "Tidak",
        attachments,
        row.unit,
        SP4N_TERMS[r.status],
        r.tracking_no,
    ]


async def csv_chunks(
    tr: Translator, batches: AsyncIterator[list[ReportRow]]
) -> AsyncIterator[bytes]:
    """The CSV, a batch of rows at a time (UTF-8 with a BOM, so spreadsheets read the accents);
    every cell data, not a formula (web.console.cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(map(cell_value, report_headers(tr)))
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for rows in batches:
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            writer.writerow(map(cell_value, report_values(tr, row)))
        yield buffer.getvalue().encode()


async def xlsx_bytes(
    title: str,
    headers: list[str],
    batches: AsyncIterator[list[ReportRow]],
    values: Callable[[ReportRow], list[str | int] | list[str]],
) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(xlsx_row(sheet, headers))
    async for rows in batches:
        for row in rows:
            sheet.append(xlsx_row(sheet, values(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


REKAP_COLUMNS = (
    "received",
    "verify_on_time",
    "follow_up_on_time",
    "finish_on_time",
    "verify_median",
    "follow_up_median",
    "finish_median",
    "late_now",
    "reopened",
    "rating_average",
    "rating_good",
)


def _ratio(value: float | None) -> float | str:
    return round(value * 100, 1) if value is not None else ""


def _days(value: float | None) -> float | str:
    return round(value, 1) if value is not None else ""


def rekap_values(name: str, ind: Indicators) -> list[str | int | float]:
    return [
        name,
        ind.received,
        _ratio(ind.verify_on_time),
        _ratio(ind.follow_up_on_time),
        _ratio(ind.finish_on_time),
        _days(ind.verify_median_days),
        _days(ind.follow_up_median_days),
        _days(ind.finish_median_days),
        ind.late_now,
        ind.reopened,
        _days(ind.rating_average),
        _ratio(ind.rating_good_share),
    ]


def rekap_table(
    tr: Translator, units: dict[int, Unit], by_unit: dict[int | None, Tally]
) -> list[list[str | int | float]]:
    """Header, one row per unit (by name), and the total; shares in percent."""
    header: list[str | int | float] = [
        tr.t("console.unit.name"),
        *(tr.t(f"console.ind.{c}") for c in REKAP_COLUMNS),
    ]
    rows = sorted(
        (
            (units[uid].name, part.indicators())
            for uid, part in by_unit.items()
            if uid is not None and uid in units
        ),
        key=lambda pair: pair[0],
    )
    everything = Tally()
    for part in by_unit.values():
        everything.add(part)
    total = rekap_values(tr.t("console.export.total"), everything.indicators())
    return [header, *(rekap_values(n, i) for n, i in rows), total]


async def unit_tallies(
    sessions: SessionFactory, query: ReportQuery, today: date
) -> dict[int | None, Tally]:
    """The query's indicators per unit, added up in the database."""
    stages = [s.value for s in UNIT_STAGES]
    async with sessions() as session:
        by_unit = await tallies(session, query, today=today, unit_stages=stages)
        days = await day_counts(session, query, Report.unit_id)
    for unit_id, histograms in days.items():
        with_days(by_unit.setdefault(unit_id, Tally()), histograms)
    return by_unit


def file_name(kind: str, first: date, last: date) -> str:
    stem = {"lapor": "sp4n-lapor", "rekap": "rekap"}.get(kind, "laporan")
    return f"{stem}-{first.isoformat()}-{last.isoformat()}.{'csv' if kind == 'csv' else 'xlsx'}"


async def row_batches(
    sessions: SessionFactory,
    query: ReportQuery,
    units: dict[int, Unit],
    config: ConsoleConfig,
    tr: Translator,
    photos: dict[int, list[int]] | None = None,
) -> AsyncIterator[list[ReportRow]]:
    """The query's rows a batch at a time, in a session of their own (``photos`` is filled with
    each report's stored photo positions on the way, for the SP4N-LAPOR! sheet)."""
    async with sessions() as session:
        async for reports in stream_reports(session, query):
            if photos is not None:
                photos.update(await photo_positions(session, [r.id for r in reports]))
            yield await load_rows(session, reports, units, config, tr.language)


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
    """The ``xlsx``, ``lapor`` or ``rekap`` workbook of the query's reports."""
    if kind == "xlsx":
        return await xlsx_bytes(
            tr.t("console.export.sheet"),
            report_headers(tr),
            row_batches(sessions, query, units, config, tr),
            lambda row: report_values(tr, row),
        )
    if kind == "lapor":
        photos: dict[int, list[int]] = {}
        return await xlsx_bytes(
            "SP4N-LAPOR",
            lapor_headers(),
            row_batches(sessions, query, units, config, tr, photos),
            lambda row: lapor_values(config, row, photos.get(row.report.id, [])),
        )
    today = config.clock().astimezone(config.timezone).date()
    by_unit = await unit_tallies(sessions, query, today)
    return table_xlsx(
        tr.t("console.export.rekap_sheet"),
        [
            [tr.t("console.export.rekap_title", first=first.isoformat(), last=last.isoformat())],
            *rekap_table(tr, units, by_unit),
        ],
    )


def table_xlsx(title: str, rows: Sequence[Sequence[str | int | float]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
