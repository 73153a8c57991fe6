"""Every cell an export writes is data, never a formula.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a
carriage return before one) as a formula: ``=HYPERLINK(...)`` in a description would become a
link that sends the row to a stranger. As OWASP's guidance on CSV injection says, such a text
gets a leading apostrophe; in XLSX the cell is also typed as a string. Control characters,
which openpyxl refuses and a CSV reader trips on, are removed first, so a row stored before
input was cleaned still exports. Numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from openpyxl.cell import WriteOnlyCell

from core.inputs import clean_text

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: A text starting with one of these is read as a formula by some spreadsheet.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")

Value = str | int | float | None


def cell_value(value: Value) -> Value:
    """``value`` as an export writes it: a text cleaned and, when it could run, quoted."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def xlsx_row(sheet: WriteOnlyWorksheet, values: Iterable[Value]) -> list[Cell | Value]:
    """A row for openpyxl's write-only sheet: each text an explicit string cell."""
    row: list[Cell | Value] = []
    for value in values:
        safe = cell_value(value)
        if isinstance(safe, str):
            cell = WriteOnlyCell(sheet, value=safe)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(safe)
    return row
