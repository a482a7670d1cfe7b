"""Data downloads for people: Excel with real numbers, and CSV for Swedish Excel.

What is downloaded: a sheet per goal and a sheet with sources and definitions. How it is
written (number formats, half-up digits in the CSV, text neutralised against formulas) is
`etl.spreadsheet`, the one writer for every spreadsheet Målbild makes.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from dashboard.present import charts, words
from dashboard.present.export import method
from dashboard.store import queries
from etl import spreadsheet
from etl.followup import verdict as verdicts
from etl.followup.records import MeasureInfo
from etl.settings import Settings
from etl.spreadsheet import neutralise  # noqa: F401  (kept for callers of this module)

XLSX_MEDIA_TYPE = spreadsheet.XLSX_MEDIA_TYPE
CSV_MEDIA_TYPE = spreadsheet.CSV_MEDIA_TYPE
SOURCES_SHEET = "Källor och definitioner"


def as_sheet(table: charts.DataTable, *, titled: bool = True) -> spreadsheet.Sheet:
    """A chart's numbers as the one spreadsheet writer takes them."""
    return spreadsheet.Sheet(
        [str(c) for c in table.frame.columns],
        [list(row) for row in table.frame.itertuples(index=False)],
        [list(row) for row in table.formats.itertuples(index=False)],
        table.title if titled else None, list(table.notes))


def workbook_bytes(tables: Sequence[charts.DataTable], sheet_names: Sequence[str] | None = None
                   ) -> bytes:
    """An .xlsx with one sheet per table."""
    names = list(sheet_names) if sheet_names else [t.title for t in tables]
    return spreadsheet.workbook_bytes([as_sheet(t) for t in tables], names)


def csv_bytes(table: charts.DataTable) -> bytes:
    """The table as CSV for Swedish Excel: `;`, decimal comma, UTF-8 with BOM."""
    return spreadsheet.csv_bytes(as_sheet(table, titled=False))


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
