"""Data downloads for people: Excel with real numbers, and CSV for Swedish Excel.

Excel: numeric cells with Swedish number formats (Excel shows `0.0" %"` as "83,0 %" in a
Swedish locale), a sheet per goal and a sheet with sources and definitions. CSV: `;` between
fields, decimal comma, UTF-8 with a byte order mark so Excel reads å, ä and ö.

Text that begins with `=`, `+`, `-`, `@`, tab or a line break is neutralised with a leading
apostrophe (`etl.spreadsheet.neutralise`), so that no downloaded cell can run as a formula
(CSV/formula injection): unit names in the staff survey, for instance, come from uploaded files.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Engine

from dashboard import charts, queries, words
from dashboard.export import method
from etl.followup import verdict as verdicts
from etl.followup.records import MeasureInfo
from etl.settings import Settings
from etl.spreadsheet import neutralise

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
SOURCES_SHEET = "Källor och definitioner"


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _cell(value: object, number_format: str) -> object:
    """A value as Excel should hold it: a number for numeric formats, neutral text otherwise."""
    if _is_blank(value):
        return None
    if number_format and number_format != charts.TEXT:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return neutralise(str(value))
        return int(number) if number.is_integer() and "." not in number_format else number
    return neutralise(str(value))


def _sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Blad"
    base, counter = name, 2
    while name in taken:
        suffix = f" ({counter})"
        name, counter = base[:31 - len(suffix)] + suffix, counter + 1
    taken.add(name)
    return name


def _write_sheet(sheet, table: charts.DataTable) -> None:
    """Title, notes, an empty row, then the header and the rows of numbers."""
    sheet.append([neutralise(table.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    for note in table.notes:
        sheet.append([neutralise(note)])
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append([neutralise(str(c)) for c in table.frame.columns])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row_values, row_formats in zip(table.frame.itertuples(index=False),
                                       table.formats.itertuples(index=False), strict=True):
        sheet.append([_cell(v, f) for v, f in zip(row_values, row_formats, strict=True)])
        for cell, number_format in zip(sheet[sheet.max_row], row_formats, strict=True):
            if number_format and cell.value is not None and not isinstance(cell.value, str):
                cell.number_format = number_format
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if len(table.frame.columns):
        last = get_column_letter(len(table.frame.columns))
        sheet.auto_filter.ref = f"A{header_row}:{last}{sheet.max_row}"
    for index, column in enumerate(table.frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in table.frame[column]
                                            if not _is_blank(v)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest + 2), 60)


def workbook_bytes(tables: Sequence[charts.DataTable], sheet_names: Sequence[str] | None = None
                   ) -> bytes:
    """An .xlsx with one sheet per table."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for i, table in enumerate(tables):
        name = sheet_names[i] if sheet_names else table.title
        _write_sheet(workbook.create_sheet(_sheet_name(name, taken)), table)
    workbook.properties.language = "sv-SE"
    workbook.properties.creator = "Målbild"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_text(value: object, number_format: str) -> str:
    if _is_blank(value):
        return ""
    if number_format and number_format != charts.TEXT:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return neutralise(str(value))
        decimals = len(number_format.split(".", 1)[1].split('"')[0].strip()) \
            if "." in number_format else 0
        return f"{number:.{decimals}f}".replace(".", ",")
    return neutralise(str(value))


def csv_bytes(table: charts.DataTable) -> bytes:
    """The table as CSV for Swedish Excel: `;`, decimal comma, UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in table.frame.columns])
    for row_values, row_formats in zip(table.frame.itertuples(index=False),
                                       table.formats.itertuples(index=False), strict=True):
        writer.writerow([_csv_text(v, f) for v, f in zip(row_values, row_formats, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


# --- What is downloaded -------------------------------------------------------------------------


def sources_table(engine: Engine, settings: Settings, infos: list[MeasureInfo],
                  sources: dict[str, str]) -> charts.DataTable:
    """The sheet with the strategy, definitions, each measure's KPI lineage and source line."""
    strategy = queries.strategy_info(engine, settings.municipality)
    notes = [f"{term}: {text}" for term, text in method.strategy_notes(strategy)]
    notes += [f"{term}: {text}" for term, text in method.method_notes(
        settings.anonymity_threshold)]
    notes += [f"Metodbyte – {sentence}" for sentence in method.series_breaks(infos)]
    lineage = method.lineage_table(infos)
    lineage["Källrad"] = [sources.get(name, "") for name in lineage["Mått"]]
    return charts.DataTable.from_columns(SOURCES_SHEET, lineage,
                                         {"Mål": "0", "Från år": "0", "Till år": "0"}, notes)


def goal_tables(engine: Engine, settings: Settings, goal: int | None = None,
                year: int | None = None) -> tuple[list[charts.DataTable], list[str]]:
    """A table per goal (every measure, every year up to the follow-up year) and the sources
    sheet, with sheet names. The follow-up year is `year` where it has values, else the
    default year, as on the pages; later values are left out, as on the pages."""
    goals = queries.goals(engine)
    every = queries.goal_followups(engine, settings)
    if year not in verdicts.follow_up_years(every):
        year = verdicts.default_year(every)
    tables, names, infos, sources = [], [], [], {}
    for row in goals.itertuples():
        if goal is not None and row.number != goal:
            continue
        items = [item.until(year) if year is not None else item for item in every
                 if item.info.goal_number == row.number]
        parts = [charts.measure_data(item) for item in items]
        footers = [charts.chart_text(item).footer for item in items]
        notes = [f"{item.info.name} – {footer}" for item, footer in zip(items, footers,
                                                                         strict=True)]
        if year is not None:
            found = verdicts.goal_verdict(int(row.number), items, year)
            notes.insert(0, f"Bedömning {year}: {words.verdict(found).label} "
                            f"({words.verdict_counts(found)}). {words.VERDICT_RULE} "
                            f"Värden efter uppföljningsåret {year} ingår inte.")
        tables.append(charts.DataTable.concat(f"Mål {row.number}: {row.title}", parts, notes))
        names.append(f"Mål {row.number}")
        infos += [item.info for item in items]
        sources |= {item.info.name: footer for item, footer in zip(items, footers, strict=True)}
    if goal is not None and not tables:
        raise KeyError(f"Strategin har inget mål {goal}.")
    tables.append(sources_table(engine, settings, infos, sources))
    names.append(SOURCES_SHEET)
    return tables, names


def followup_workbook(engine: Engine, settings: Settings, goal: int | None = None,
                      year: int | None = None) -> bytes:
    """Every goal's follow-up as an Excel file: a sheet per goal, sources and definitions."""
    tables, names = goal_tables(engine, settings, goal, year)
    return workbook_bytes(tables, names)


def followup_csv(engine: Engine, settings: Settings, goal: int | None = None,
                 year: int | None = None) -> bytes:
    """Every goal's follow-up in one CSV table (a column names the goal)."""
    tables, _names = goal_tables(engine, settings, goal, year)
    parts = []
    for table in tables[:-1]:
        number = int(table.title.split(":", 1)[0].removeprefix("Mål "))
        frame = table.frame.copy()
        frame.insert(0, "Mål nr", number)
        formats = table.formats.copy()
        formats.insert(0, "Mål nr", "0")
        parts.append(charts.DataTable("Uppföljning", frame, formats))
    return csv_bytes(charts.DataTable.concat("Uppföljning", parts))


def chart_workbook(engine: Engine, settings: Settings, view: charts.ChartView) -> bytes:
    """One chart's numbers, with the sources sheet for its measure."""
    infos = [view.measure] if view.measure else []
    sources = {view.measure.name: view.data.notes[0]} if view.measure and view.data.notes \
        else {}
    return workbook_bytes([view.data, sources_table(engine, settings, infos, sources)],
                          ["Data", SOURCES_SHEET])


def chart_csv(view: charts.ChartView) -> bytes:
    return csv_bytes(view.data)
