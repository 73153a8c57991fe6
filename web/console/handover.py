"""The files a report is handed on with: the full export (``lengkap``: the report, its place,
the unit's answers and every stage's date) and the SP4N-LAPOR! sheet (``lapor``: in
SP4N-LAPOR!'s own words, for staff who enter or bulk-load it there).

Who filed a report is named in the SP4N-LAPOR! sheet only, as the viewer's own console names
them (``core.disclosure``): a biasa reporter to anyone who may see the report, a rahasia one in
the coordinator's export only, an anonim one never (``COORDINATOR_SEES_IDENTITY`` does not reach
a file: once downloaded it can go anywhere). The full export names nobody.

Internal notes (``core.timeline.INTERNAL``) are in the coordinator's full export only, in their
own column "Catatan internal"; a unit's full export and the SP4N-LAPOR! sheet never read them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook

from core.clips import ClipKind, clip_kind_of
from core.deadlines import local_date
from core.disclosure import Audience, disclosure
from core.lifecycle import SP4N_TERMS, Privacy
from core.places import shown_point
from core.timeline import INTERNAL, EventKind
from locales import Translator
from storage.console import (
    ReportQuery,
    citizens_of,
    clip_files,
    events_of_kinds,
    photo_files,
    stream_reports,
)
from storage.models import Citizen, ReportEvent, Unit
from web.console.config import ConsoleConfig
from web.console.context import SessionFactory
from web.console.rows import ReportRow, load_rows
from web.console.sheets import Column, SheetValue, TableSheet, columns_of, saved

#: What the unit told the reporter: follow-ups, the answer with "selesai", replies.
ANSWERS = (EventKind.FOLLOWED_UP, EventKind.DONE, EventKind.ANSWERED)
_READ = (*ANSWERS, EventKind.ARCHIVED)


@dataclass(frozen=True)
class Handed:
    """A report with what its files need beyond its row."""

    row: ReportRow
    answers: str  # "yyyy-mm-dd: text" a line each, oldest first
    archived_on: date | None
    closed_on: date | None
    photos: list[tuple[int, str]]  # (position, stored path) of each stored photo
    reporter: Citizen | None  # only when the file may name them
    internal_notes: str = ""  # as ``answers``; read for the coordinator's full export only
    point: tuple[float, float] | None = None  # as the viewer may see it (core.places)
    #: The position and kind of each stored voice note or video (core.clips).
    clips: tuple[tuple[int, ClipKind], ...] = ()


def _answers(
    events: Sequence[ReportEvent], config: ConsoleConfig, kinds: Collection[EventKind] = ANSWERS
) -> str:
    lines = [
        f"{local_date(e.created_at, config.timezone).isoformat()}: {e.note.strip()}"
        for e in events
        if e.kind in kinds and e.note.strip()
    ]
    return "\n".join(lines)


def may_name(privacy: str, coordinator: bool) -> bool:
    """Whether the viewer's SP4N-LAPOR! sheet names the reporter (anonim: never)."""
    audience = Audience.CONSOLE_COORDINATOR if coordinator else Audience.CONSOLE_UNIT
    return disclosure(Privacy(privacy), audience, coordinator_sees_anonymous=False).reporter


async def handed_batches(
    sessions: SessionFactory,
    query: ReportQuery,
    units: dict[int, Unit],
    config: ConsoleConfig,
    tr: Translator,
    *,
    names: bool,
    internal: bool = False,
) -> AsyncIterator[list[Handed]]:
    """The query's reports a batch at a time (``names``: read the reporters the viewer may see
    named; ``internal``: read the internal notes too; the coordinator is the viewer who sees
    every unit)."""
    coordinator = query.visible is None
    kinds = (*_READ, *INTERNAL) if internal else _READ
    async with sessions() as session:
        async for reports in stream_reports(session, query):
            ids = [r.id for r in reports]
            rows = await load_rows(session, reports, units, config, tr.language)
            events = await events_of_kinds(session, ids, kinds)
            photos = await photo_files(session, ids)
            clips = await clip_files(session, ids)
            named = [r.citizen_id for r in reports if names and may_name(r.privacy, coordinator)]
            people = await citizens_of(session, named)
            batch = []
            for row in rows:
                r = row.report
                archived = [e for e in events[r.id] if e.kind == EventKind.ARCHIVED]
                batch.append(
                    Handed(
                        row=row,
                        answers=_answers(events[r.id], config),
                        archived_on=local_date(archived[-1].created_at, config.timezone)
                        if archived
                        else None,
                        closed_on=local_date(r.closed_at, config.timezone) if r.closed_at else None,
                        photos=photos.get(r.id, []),
                        clips=tuple(
                            (n, kind)
                            for n, _, mime in clips.get(r.id, [])
                            if (kind := clip_kind_of(mime)) is not None
                        ),
                        reporter=people.get(r.citizen_id),
                        internal_notes=_answers(events[r.id], config, INTERNAL) if internal else "",
                        point=shown_point(
                            r.latitude,
                            r.longitude,
                            r.privacy,
                            insider=coordinator or r.unit_id == query.own_unit,
                        ),
                    )
                )
            yield batch


def _day(value: date | None) -> date | str:
    return value if value else ""


# --- the full export ---------------------------------------------------------------------------

FULL_COLUMNS = {
    "tracking": 14,
    "created": 12,
    "verified": 12,
    "followed_up": 14,
    "finished": 12,
    "closed": 12,
    "archived": 12,
    "type": 18,
    "category": 26,
    "privacy": 12,
    "kecamatan": 18,
    "desa": 20,
    "address": 30,
    "latitude": 11,
    "longitude": 11,
    "description": 60,
    "unit": 32,
    "status": 20,
    "working_days": 10,
    "late": 10,
    "answers": 60,
    "rating": 10,
    "rating_note": 40,
    "supporters": 10,
}


#: The coordinator's full export has one column more: the internal notes.
INTERNAL_COLUMN = {"internal_notes": 60}


def full_values(tr: Translator, item: Handed, *, internal: bool = False) -> list[SheetValue]:
    row = item.row
    r, h = row.report, row.handling
    return [
        r.tracking_no,
        row.created_on,
        _day(h.verify.ended_on),
        _day(h.follow_up.ended_on),
        _day(h.finish.ended_on),
        _day(item.closed_on),
        _day(item.archived_on),
        tr.t(f"console.type.{r.report_type}"),
        row.category,
        tr.t(f"console.privacy.{r.privacy}"),
        row.kecamatan,
        row.desa,
        r.address_detail,
        item.point[0] if item.point else None,
        item.point[1] if item.point else None,
        r.description,
        row.unit,
        tr.t(f"console.status.{r.status}"),
        row.working_days,
        tr.t("console.yes") if row.late_ever else tr.t("console.no"),
        item.answers,
        r.rating if r.rating is not None else "",
        r.rating_comment,
        row.supporters,
        *([item.internal_notes] if internal else []),
    ]


async def full_xlsx(
    tr: Translator,
    config: ConsoleConfig,
    sessions: SessionFactory,
    query: ReportQuery,
    units: dict[int, Unit],
) -> bytes:
    book = Workbook(write_only=True)
    internal = query.visible is None  # the coordinator's
    widths = {**FULL_COLUMNS, **INTERNAL_COLUMN} if internal else FULL_COLUMNS
    sheet = TableSheet(book, tr.t("console.export.sheet"), columns_of(tr, widths))
    batches = handed_batches(sessions, query, units, config, tr, names=False, internal=internal)
    async for batch in batches:
        for item in batch:
            sheet.append(full_values(tr, item, internal=internal))
    sheet.close()
    return saved(book)


# --- the SP4N-LAPOR! sheet ------------------------------------------------------------------

#: SP4N-LAPOR!'s own field names and the widths of their columns.
LAPOR_COLUMNS = (
    Column("Judul Laporan", 30),
    Column("Isi Laporan", 60),
    Column("Klasifikasi", 18),
    Column("Kategori", 26),
    Column("Kabupaten/Kota", 20),
    Column("Kecamatan", 18),
    Column("Desa/Kelurahan", 20),
    Column("Lokasi", 30),
    Column("Tanggal", 12),
    Column("Anonim", 9),
    Column("Rahasia", 9),
    Column("Lampiran", 40),
    Column("Instansi Tujuan", 32),
    Column("Status SP4N-LAPOR!", 26),
    Column("Nama Pelapor", 24),
    Column("Kontak Pelapor", 20),
    Column("Tanggapan", 60),
    Column("Tanggal Disposisi", 14),
    Column("Tanggal Selesai", 14),
    Column("Nomor Pelacakan Kanal Aduan", 16),
)

#: How "Lampiran" names a clip before its link (SP4N-LAPOR!'s language, as the sheet's other
#: words): a photo is a bare link or file name, a clip says what it is.
LAPOR_CLIP = {ClipKind.VOICE: "Rekaman suara", ClipKind.VIDEO: "Video"}

LAPOR_CLASS = {
    "pengaduan": "Pengaduan",
    "aspirasi": "Aspirasi",
    "permintaan_informasi": "Permintaan Informasi",
}


def lapor_headers() -> list[str]:
    return [c.header for c in LAPOR_COLUMNS]


def _contact(citizen: Citizen | None) -> str:
    if citizen is not None and citizen.phone:  # given at the counter (lapor atas nama warga)
        return citizen.phone
    if citizen is None or not citizen.username:
        return ""
    return f"Telegram @{citizen.username}" if citizen.channel == "telegram" else citizen.username


def lapor_values(
    config: ConsoleConfig, item: Handed, attached: Sequence[str] | None = None
) -> list[SheetValue]:
    """The report as SP4N-LAPOR! asks for it; its stored photos linked as the console serves
    them (``/laporan/{number}/foto/{position}``: for viewers signed in to the console), or
    named as the files ``attached`` beside the sheet in a ZIP (:mod:`web.console.lapor_zip`);
    its voice notes and videos linked after them (``/rekaman/{position}``), in a ZIP too, each
    named for its kind ("Rekaman suara: …"); one attachment a line."""
    row = item.row
    r = row.report
    place = row.desa or row.kecamatan or config.regions.root.name
    location = r.address_detail
    if item.point is not None:
        location = f"{location} ({item.point[0]:.6f}, {item.point[1]:.6f})".strip()
    base = config.public_url.rstrip("/")
    attachments = "\n".join(
        [
            *(
                [f"{base}/laporan/{r.tracking_no}/foto/{n}" for n, _ in item.photos]
                if attached is None
                else attached
            ),
            *(
                f"{LAPOR_CLIP[kind]}: {base}/laporan/{r.tracking_no}/rekaman/{n}"
                for n, kind in item.clips
            ),
        ]
    )
    return [
        f"{row.category} — {place}",
        r.description,
        LAPOR_CLASS.get(r.report_type, r.report_type),
        row.category,
        config.regions.root.name,
        row.kecamatan,
        row.desa,
        location,
        row.created_on,
        "Ya" if r.privacy == Privacy.ANONIM else "Tidak",
        "Ya" if r.privacy == Privacy.RAHASIA else "Tidak",
        attachments,
        row.unit,
        SP4N_TERMS[r.status],
        item.reporter.name if item.reporter else "",
        _contact(item.reporter),
        item.answers,
        _day(row.handling.verify.ended_on),
        _day(row.handling.finish.ended_on),
        r.tracking_no,
    ]


async def lapor_xlsx(
    tr: Translator,
    config: ConsoleConfig,
    sessions: SessionFactory,
    query: ReportQuery,
    units: dict[int, Unit],
) -> bytes:
    book = Workbook(write_only=True)
    sheet = TableSheet(book, "SP4N-LAPOR", LAPOR_COLUMNS)
    async for batch in handed_batches(sessions, query, units, config, tr, names=True):
        for item in batch:
            sheet.append(lapor_values(config, item))
    sheet.close()
    return saved(book)
