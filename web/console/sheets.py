"""XLSX sheets ready to hand on: each column at a readable width, dates as date cells (sorted
and filtered as dates by any spreadsheet, shown ``yyyy-mm-dd``), the header row frozen and an
autofilter over the table. Written by openpyxl in its write-only mode (rows go to a temporary
file, not to memory); every text cell is data, never a formula (:mod:`web.console.cells`)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from locales import Translator
from web.console.cells import Value, xlsx_row

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

DATE_FORMAT = "yyyy-mm-dd"
#: A cell of a sheet: a date is written as a date cell.
SheetValue = Value | date


@dataclass(frozen=True)
class Column:
    """A column's header and width (in characters, as spreadsheets count them)."""

    header: str
    width: float = 14


class TableSheet:
    """One sheet of a write-only workbook: an optional title line, the header (frozen, with an
    autofilter over every row appended), then the rows."""

    def __init__(
        self, book: Workbook, title: str, columns: Sequence[Column], heading: str = ""
    ) -> None:
        self.sheet: WriteOnlyWorksheet = book.create_sheet(title[:31])
        self.width = len(columns)
        for number, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(number)].width = column.width
        self.header_row = 2 if heading else 1
        # Frozen: the rows above the first data row stay in view while scrolling.
        self.sheet.freeze_panes = f"A{self.header_row + 1}"
        if heading:
            self.sheet.append(xlsx_row(self.sheet, [heading]))
        self.sheet.append(xlsx_row(self.sheet, [c.header for c in columns]))
        self.last_row = self.header_row

    def append(self, values: Iterable[SheetValue]) -> None:
        self.sheet.append(sheet_row(self.sheet, values))
        self.last_row += 1

    def close(self) -> None:
        """The autofilter over the header and every row (set last: its range is known now)."""
        last = get_column_letter(max(self.width, 1))
        # openpyxl's type stubs leave it out of the write-only sheet, which writes it on saving.
        where = f"A{self.header_row}:{last}{self.last_row}"
        self.sheet.auto_filter.ref = where  # type: ignore[attr-defined]


def columns_of(tr: Translator, widths: Mapping[str, float]) -> list[Column]:
    """Headers in the viewer's language; each column at least as wide as its header."""
    found = []
    for name, width in widths.items():
        header = tr.t(f"console.col.{name}")
        found.append(Column(header, max(width, min(len(header) + 2, 40))))
    return found


def sheet_row(sheet: WriteOnlyWorksheet, values: Iterable[SheetValue]) -> list[Cell | Value]:
    row: list[Cell | Value] = []
    for value in values:
        if isinstance(value, date):
            # A day as the spreadsheet's date number (midnight), shown as a date.
            cell = WriteOnlyCell(sheet, value=datetime.combine(value, time()))
            cell.number_format = DATE_FORMAT
            row.append(cell)
        else:
            row.extend(xlsx_row(sheet, [value]))
    return row


def saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_xlsx(
    title: str, heading: str, columns: Sequence[Column], rows: Iterable[Sequence[SheetValue]]
) -> bytes:
    """A workbook of one table (the first of ``rows`` is not a header: ``columns`` are)."""
    book = Workbook(write_only=True)
    sheet = TableSheet(book, title, columns, heading)
    for row in rows:
        sheet.append(row)
    sheet.close()
    return saved(book)
