"""Exports of a filtered report list: CSV, XLSX, and the SP4N-LAPOR! sheet (XLSX).

Columns are documented in docs/console.md. No export names the reporter, whatever the report's
privacy: the only people who may see an identity see it on the report's card, and a file, once
downloaded, can go anywhere. The rows are read a batch at a time; CSV is streamed to the client as
it is written, XLSX is written by openpyxl in its write-only mode (rows go to a temporary file, not
to memory) and sent when complete.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import date

from openpyxl import Workbook

from core.lifecycle import SP4N_TERMS, ReportStatus
from locales import Translator
from web.console.config import ConsoleConfig
from web.console.rows import ReportRow

FORMATS = ("csv", "xlsx", "lapor")

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


def lapor_values(config: ConsoleConfig, row: ReportRow, photos: int) -> list[str]:
    r = row.report
    place = row.desa or row.kecamatan or config.regions.root.name
    title = f"{row.category} — {place}"
    location = r.address_detail
    if r.latitude is not None and r.longitude is not None:
        location = f"{location} ({r.latitude:.6f}, {r.longitude:.6f})".strip()
    base = config.public_url.rstrip("/")
    attachments = " ".join(f"{base}/laporan/{r.tracking_no}/foto/{n}" for n in range(1, photos + 1))
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
        "Ya" if r.privacy == "anonim" else "Tidak",
        "Ya" if r.privacy == "rahasia" else "Tidak",
        attachments,
        row.unit,
        SP4N_TERMS[ReportStatus(r.status)],
        r.tracking_no,
    ]


async def csv_chunks(
    tr: Translator, batches: AsyncIterator[list[ReportRow]]
) -> AsyncIterator[bytes]:
    """The CSV, a batch of rows at a time (UTF-8 with a BOM, so spreadsheets read the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(report_headers(tr))
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for rows in batches:
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            writer.writerow(report_values(tr, row))
        yield buffer.getvalue().encode()


async def xlsx_bytes(
    title: str,
    headers: list[str],
    batches: AsyncIterator[list[ReportRow]],
    values: Callable[[ReportRow], list[str | int] | list[str]],
) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(headers)
    async for rows in batches:
        for row in rows:
            sheet.append(values(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
