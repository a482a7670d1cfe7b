"""The one writer of spreadsheets people open in Excel: .xlsx and CSV for Swedish Excel.

Downloads, the target file and the audit log are all written here, so they share the number
rule (`etl.numbers`) and the protection against formulas.

Excel: numeric cells hold the exact value with a Swedish number format (Excel shows `0.0" %"`
as "83,0 %" and rounds the shown digits half up, as the pages do). CSV: `;` between fields,
decimal comma without thousands separators (so Excel reads a number), the digits rounded half
up as on the pages, UTF-8 with a byte order mark so Excel reads å, ä and ö.

Text that begins with `=`, `+`, `-`, `@`, tab or a line break (carriage return or line feed)
gets a leading apostrophe (CSV/formula injection): names and references in the files come
from uploads and forms, so no written cell can ever run as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from etl import numbers

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def neutralise(text: str) -> str:
    """'=SUMMA(A1)' → "'=SUMMA(A1)": shown as text, never run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass
class Sheet:
    """A table to write: the header, the rows, and each cell's Excel number format.

    `formats` has the rows' shape; an empty string (or `@`) means text. Numbers in a text
    cell are written as they are; a cell with a number format that holds no number is text.
    A sheet with a `title` starts with the title and the notes, an empty row, then the
    header (frozen, with a filter); without one the header is the first row (a file that is
    read back, like the targets).
    """

    columns: list[str]
    rows: list[list[object]]
    formats: list[list[str]]
    title: str | None = None
    notes: list[str] = field(default_factory=list)


def text_cell(value: object) -> str | None:
    return None if numbers.is_missing(value) else neutralise(str(value))


def excel_cell(value: object, number_format: str) -> object:
    """A value as Excel should hold it: a number for numeric formats, neutral text otherwise."""
    if numbers.is_missing(value):
        return None
    if numbers.is_number_format(number_format):
        try:
            return numbers.excel_value(value, number_format)
        except (TypeError, ValueError):
            pass
    return text_cell(value)


def csv_cell(value: object, number_format: str) -> str:
    """A value as CSV text for Swedish Excel: the format's digits, half up, decimal comma."""
    if numbers.is_missing(value):
        return ""
    if numbers.is_number_format(number_format):
        try:
            return numbers.fixed(float(value), numbers.format_decimals(number_format))
        except (TypeError, ValueError):
            pass
    return neutralise(str(value))


def sheet_name(title: str, taken: set[str]) -> str:
    """A name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Blad"
    base, counter = name, 2
    while name in taken:
        suffix = f" ({counter})"
        name, counter = base[:31 - len(suffix)] + suffix, counter + 1
    taken.add(name)
    return name


def _write_sheet(worksheet, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if sheet.title is not None:
        worksheet.append([neutralise(sheet.title)])
        worksheet["A1"].font = Font(bold=True, size=13)
        for note in sheet.notes:
            worksheet.append([neutralise(note)])
        worksheet.append([])
    header_row = worksheet.max_row + 1 if sheet.title is not None else 1
    worksheet.append([neutralise(str(c)) for c in sheet.columns])
    if sheet.title is None:
        for values, formats in zip(sheet.rows, sheet.formats, strict=True):
            worksheet.append([excel_cell(v, f) for v, f in zip(values, formats, strict=True)])
        return
    for cell in worksheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for values, formats in zip(sheet.rows, sheet.formats, strict=True):
        worksheet.append([excel_cell(v, f) for v, f in zip(values, formats, strict=True)])
        for cell, number_format in zip(worksheet[worksheet.max_row], formats, strict=True):
            if number_format and cell.value is not None and not isinstance(cell.value, str):
                cell.number_format = number_format
    worksheet.freeze_panes = worksheet.cell(row=header_row + 1, column=1)
    if sheet.columns:
        last = get_column_letter(len(sheet.columns))
        worksheet.auto_filter.ref = f"A{header_row}:{last}{worksheet.max_row}"
    for index, column in enumerate(sheet.columns, start=1):
        longest = max([len(str(column))] + [len(str(row[index - 1])) for row in sheet.rows
                                            if not numbers.is_missing(row[index - 1])])
        worksheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest + 2),
                                                                          60)


def workbook_bytes(sheets: Sequence[Sheet], sheet_names: Sequence[str]) -> bytes:
    """An .xlsx with one sheet per table, in Swedish."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for sheet, name in zip(sheets, sheet_names, strict=True):
        _write_sheet(workbook.create_sheet(sheet_name(name, taken)), sheet)
    workbook.properties.language = "sv-SE"
    workbook.properties.creator = "Målbild"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(sheet: Sheet) -> str:
    """The table as CSV for Swedish Excel: `;`, decimal comma, CRLF (no byte order mark)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in sheet.columns])
    for values, formats in zip(sheet.rows, sheet.formats, strict=True):
        writer.writerow([csv_cell(v, f) for v, f in zip(values, formats, strict=True)])
    return buffer.getvalue()


def csv_bytes(sheet: Sheet) -> bytes:
    """The CSV file: UTF-8 with a byte order mark, so Excel reads å, ä and ö."""
    return csv_text(sheet).encode("utf-8-sig")
