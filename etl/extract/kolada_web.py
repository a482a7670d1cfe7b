"""Kolada's web exports (Excel or CSV from kolada.se): header rows, years as columns, markers.

Two layouts are read, detected from the header row or stated (`layout`):

* wide: one row per municipality and one column per year ("2021", "2021 Kvinnor"); the KPI is
  in a column of its own, in the row above the years, in the title rows above the table, in
  the sheet name or in the file name;
* tidy: one row per value with KPI, municipality, year, gender and value.

Which header means what, gender words, Kolada's missing markers (`-`, `.`, `..`) and where a KPI
id may stand live in `data/mappings/kolada_web.toml`, not here. Municipalities may be given by
code ("1277", "114" when Excel dropped the zero, "1277 Åstorp") or by name ("Åstorp", "Åstorps
kommun"); KPIs by id or by their full Kolada title. The rows are then checked by
`etl.validate.kolada_values`, so a bad cell is reported with sheet, row and column.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from etl import validate
from etl.errors import InputError, Location
from etl.extract.tables import (
    HEADER_SEARCH_ROWS,
    ColumnMap,
    Grid,
    cell,
    header_rows,
    read_grids,
    value_key,
)
from etl.settings import DEFAULT_DATA_DIR

MAPPING = DEFAULT_DATA_DIR / "mappings" / "kolada_web.toml"
LAYOUTS = ("tidy", "wide")
CODE = re.compile(r"^(?P<code>[0-9]{3,4})(?:\s*[-–:]?\s*(?P<name>[^0-9].*))?$")
CODE_AFTER = re.compile(r"^(?P<name>.*[^0-9\s])\s*\((?P<code>[0-9]{3,4})\)$")
HINT = ("Ladda ner tabellen från kolada.se på nytt, eller spara den med rubrikerna "
        "kpi,municipality,period,gender,value. Kända rubriker står i "
        "data/mappings/kolada_web.toml.")


@dataclass(frozen=True)
class WebMapping:
    """`data/mappings/kolada_web.toml`, ready to use."""

    columns: ColumnMap
    year: re.Pattern
    genders: dict[str, str]
    gender_title: re.Pattern
    missing: frozenset[str]
    kpi_id: re.Pattern
    kpi_places: tuple[str, ...]
    drop_suffixes: tuple[str, ...]
    skip_rows: tuple[str, ...]

    def role_of(self, header: str) -> str | None:
        found = self.columns.role_of(header)
        return found[0] if found else None

    def gender_of(self, word: str) -> str | None:
        return self.genders.get(value_key(word))

    def year_column(self, header: str) -> tuple[int, str | None] | None:
        """(year, gender or None) when the header names a year, as "2021" or "2021 Kvinnor"."""
        match = self.year.match(header.strip())
        if not match:
            return None
        words = [w for w in (match["before"], match["after"]) if w and w.strip()]
        gender = None
        for word in words:
            gender = self.gender_of(word)
            if gender is None:
                return None
        return int(match["year"]), gender

    def is_missing(self, cell: str) -> bool:
        return cell.strip() in self.missing


@lru_cache
def web_mapping(path: Path = MAPPING) -> WebMapping:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    genders = {value_key(word): code for code in ("T", "K", "M") for word in raw["genders"][code]}
    return WebMapping(
        columns=ColumnMap.of(raw["columns"]),
        year=re.compile(raw["years"]["pattern"], re.IGNORECASE),
        genders=genders,
        gender_title=re.compile(raw["genders"]["title_pattern"], re.IGNORECASE),
        missing=frozenset(m.strip() for m in raw["missing"]["markers"]),
        kpi_id=re.compile(raw["kpi_id"]["pattern"]),
        kpi_places=tuple(raw["kpi_id"]["places"]),
        drop_suffixes=tuple(raw["municipalities"]["drop_suffixes"]),
        skip_rows=tuple(s.lower() for s in raw["municipalities"]["skip_rows"]),
    )


# --- Names to ids -------------------------------------------------------------------------------


class Catalogue:
    """KPIs and municipalities by id and by name, to read what people write in exports."""

    def __init__(self, mapping: WebMapping, kpis: Mapping[str, str],
                 municipalities: Mapping[str, str]) -> None:
        self.mapping = mapping
        self.kpis = kpis
        self.municipalities = municipalities
        self.kpi_titles = {value_key(title): kpi for kpi, title in kpis.items() if title}
        self.municipality_names = {value_key(title): m for m, title in municipalities.items()
                                   if title}

    def kpi_in(self, text: str) -> str | None:
        """The KPI a text names: one id (N00640) in it, or the whole text a KPI's title."""
        ids = set(self.mapping.kpi_id.findall(text))
        if len(ids) == 1:
            return ids.pop()
        if not ids:
            return self.kpi_titles.get(value_key(text))
        return None

    def kpis_named(self, text: str) -> list[str]:
        """Every KPI a text names (by id, or by being a KPI's whole title)."""
        ids = list(dict.fromkeys(self.mapping.kpi_id.findall(text)))
        if not ids and value_key(text) in self.kpi_titles:
            ids = [self.kpi_titles[value_key(text)]]
        return ids

    def municipality(self, text: str) -> str | None:
        """A municipality id from "1277", "114", "1277 Åstorp", "Åstorp (1277)" or a name."""
        text = text.strip()
        match = CODE.match(text) or CODE_AFTER.match(text)
        if match:
            code = match["code"].zfill(4)
            return code if code in self.municipalities else None
        name = value_key(text)
        if name in self.municipality_names:
            return self.municipality_names[name]
        for suffix in self.mapping.drop_suffixes:
            if name.endswith(suffix.lower()):
                shorter = name[: -len(suffix)].strip()
                if shorter in self.municipality_names:
                    return self.municipality_names[shorter]
        return None

    def skip(self, name: str) -> bool:
        lowered = name.lower()
        return any(marker in lowered for marker in self.mapping.skip_rows)


# --- Finding the table --------------------------------------------------------------------------


@dataclass
class Table:
    """Where the table is in a grid: its header row, the columns of each role, the years."""

    grid: Grid
    header: int  # index of the header row
    layout: str
    roles: dict[str, int]
    years: dict[int, tuple[int, str | None]]

    def heading(self, column: int) -> str:
        row = self.grid.rows[self.header]
        return row[column] if 0 <= column < len(row) else ""

    def heading_of(self, *roles: str, default: str = "") -> str:
        """The header text of the first of `roles` the table has (for error messages)."""
        column = next((self.roles[r] for r in roles if r in self.roles), None)
        return self.heading(column) if column is not None else default

    def where(self, index: int | None = None, column: int | None = None) -> Location:
        return Location(self.grid.source, sheet=self.grid.sheet,
                        row=None if index is None else index + 1,
                        column=None if column is None else self.heading(column))


def find_table(grid: Grid, mapping: WebMapping, layout: str | None) -> Table | None:
    """The first header row (within `HEADER_SEARCH_ROWS`) that names the municipality and
    either the period and value (tidy) or years as columns (wide)."""
    for header in header_rows(grid, mapping.columns):
        roles = header.columns
        if "municipality" not in roles and "municipality_name" not in roles:
            continue
        # A year column is a header that the map does not know and that names a year.
        years = {column: year for column, text in enumerate(header.texts)
                 if text and mapping.role_of(text) is None
                 and (year := mapping.year_column(text))}
        tidy = "period" in roles and "value" in roles
        wide = bool(years)
        if (layout == "tidy" and tidy) or (layout == "wide" and wide):
            return Table(grid, header.index, layout, roles, years)
        if layout is None and (tidy or wide):
            return Table(grid, header.index, "tidy" if tidy else "wide", roles, years)
    return None




# --- Where the KPI and gender of a whole table stand ---------------------------------------------


@dataclass
class TableContext:
    """What the text around a table says: KPI per year column (or one for all), gender."""

    kpi_by_column: dict[int, str]
    kpi: str | None
    kpi_where: Location | None
    gender: str | None


def _context(table: Table, path: Path, catalogue: Catalogue) -> TableContext:
    mapping = catalogue.mapping
    grid = table.grid
    gender = None
    for row in grid.rows[: table.header]:
        for text in row:
            match = mapping.gender_title.match(text.strip()) if text else None
            if match and mapping.gender_of(match["word"]):
                gender = mapping.gender_of(match["word"])
    context = TableContext({}, None, None, gender)
    for place in mapping.kpi_places:
        if place == "column_header" and table.header > 0 and table.years:
            above = grid.rows[table.header - 1]
            current = None
            for column in range(max(table.years) + 1):
                text = cell(above, column)
                if text:
                    current = catalogue.kpi_in(text)
                if column in table.years and current:
                    context.kpi_by_column[column] = current
            if context.kpi_by_column:
                context.kpi_where = table.where(table.header - 1)
                return context
        elif place == "title_rows":
            found: dict[str, int] = {}
            for index, row in enumerate(grid.rows[: table.header]):
                for text in row:
                    named = catalogue.kpis_named(text) if text else []
                    for kpi in named:
                        found.setdefault(kpi, index)
            if len(found) > 1:
                raise InputError(
                    f"raderna ovanför tabellen nämner flera nyckeltal ({', '.join(found)}); "
                    "det går inte att avgöra vilket tabellen visar.",
                    table.where(table.header - 1), hint="Ladda ner ett nyckeltal per blad, "
                    "eller lägg till en kolumn «Nyckeltal» med id:t på varje rad.")
            if found:
                context.kpi, index = next(iter(found.items()))
                context.kpi_where = table.where(index)
                return context
        elif place == "sheet_name" and grid.sheet and (kpi := catalogue.kpi_in(grid.sheet)):
            context.kpi, context.kpi_where = kpi, Location(str(path), sheet=grid.sheet)
            return context
        elif place == "file_name" and (kpi := catalogue.kpi_in(path.stem)):
            context.kpi, context.kpi_where = kpi, Location(str(path))
            return context
    return context


# --- Rows -----------------------------------------------------------------------------------------


def _municipality(table: Table, row: list[str], index: int, catalogue: Catalogue,
                  rejections: validate.Rejections | None = None) -> str | None:
    """The id of the row's municipality; None for a summary row (ovägt medel, källa), or for
    an unknown one when `rejections` collects bad rows instead of stopping the import."""
    code_column = table.roles.get("municipality")
    name_column = table.roles.get("municipality_name")
    code, name = cell(row, code_column), cell(row, name_column)
    if name and catalogue.skip(name) and not code:
        return None
    text, column = (code, code_column) if code else (name, name_column)
    found = catalogue.municipality(text)
    problem = f"«{text}» är ingen kommun eller region som Kolada känner till."
    if found is None and rejections is not None:
        where = table.where(index, column)
        rejections.note(validate.RejectedRow(where.row, where.column or "", text, problem,
                                             Path(where.source).name, where.sheet))
    elif found is None:
        raise InputError(
            problem,
            table.where(index, column),
            hint="Skriv kommunkoden (1277) eller namnet som Kolada skriver det (Åstorp). "
            "Ingenting har sparats; databasen är oförändrad.")
    return found


def _row_kpi(table: Table, row: list[str], catalogue: Catalogue) -> str | None:
    for role in ("kpi", "kpi_title"):
        text = cell(row, table.roles.get(role))
        if text:
            return catalogue.kpi_in(text) or text  # an unknown text is reported by validation
    return None


def _row_gender(table: Table, row: list[str], default: str | None, mapping: WebMapping) -> str:
    text = cell(row, table.roles.get("gender"))
    if text:
        return mapping.gender_of(text) or text  # an unknown word is reported by validation
    return default or "T"


def _check_kpi(kpi: str | None, where: Location | None, catalogue: Catalogue, table: Table,
               path: Path) -> str:
    if kpi is None:
        raise InputError(
            "tabellen säger inte vilket nyckeltal den visar: inget id (t.ex. N00640) eller "
            "nyckeltalets titel i en kolumn, i raderna ovanför tabellen, i bladets namn eller i "
            "filnamnet.", table.where(table.header),
            hint="Lägg till en kolumn med nyckeltalets id (som i rubrikraden "
            "kpi,municipality,period,gender,value), en rad med id:t ovanför tabellen, eller döp "
            "filen efter id:t (N00640.xlsx). Ingenting har sparats; databasen är oförändrad.")
    if kpi not in catalogue.kpis:
        raise InputError(
            f"nyckeltalet «{kpi}» finns inte i Målbilds katalog.", where or Location(str(path)),
            hint=f"Hämta det från Kolada med «malbild etl kolada --kpi {kpi}» och importera "
            "filen igen. Ingenting har sparats; databasen är oförändrad.")
    return kpi


def _wide_rows(table: Table, path: Path, catalogue: Catalogue,
               rejections: validate.Rejections | None = None) -> list[dict]:
    context = _context(table, path, catalogue)
    mapping = catalogue.mapping
    has_kpi_column = "kpi" in table.roles or "kpi_title" in table.roles
    if not has_kpi_column and not context.kpi_by_column:
        context.kpi = _check_kpi(context.kpi, context.kpi_where, catalogue, table, path)
    for kpi in set(context.kpi_by_column.values()):
        _check_kpi(kpi, context.kpi_where, catalogue, table, path)
    rows = []
    for index in range(table.header + 1, len(table.grid.rows)):
        row = table.grid.rows[index]
        cells = {c: cell(row, c) for c in table.years}
        if all(mapping.is_missing(v) for v in cells.values()):
            continue  # blank, footer or only missing markers: nothing to store
        municipality = _municipality(table, row, index, catalogue, rejections)
        if municipality is None:
            continue
        row_kpi = _row_kpi(table, row, catalogue) if has_kpi_column else None
        gender = _row_gender(table, row, context.gender, mapping)
        for column, (year, column_gender) in table.years.items():
            value = cells[column]
            if mapping.is_missing(value):
                continue
            rows.append({
                "kpi": row_kpi or context.kpi_by_column.get(column) or context.kpi or "",
                "municipality": municipality, "period": str(year),
                "gender": column_gender or gender, "value": value, "row": index + 1,
                "value_column": table.heading(column),
            })
    return rows


def _tidy_rows(table: Table, path: Path, catalogue: Catalogue,
               rejections: validate.Rejections | None = None) -> list[dict]:
    context = _context(table, path, catalogue)
    mapping = catalogue.mapping
    has_kpi_column = "kpi" in table.roles or "kpi_title" in table.roles
    if not has_kpi_column:
        context.kpi = _check_kpi(context.kpi, context.kpi_where, catalogue, table, path)
    rows = []
    value_column, period_column = table.roles["value"], table.roles["period"]
    for index in range(table.header + 1, len(table.grid.rows)):
        row = table.grid.rows[index]
        value = cell(row, value_column)
        if mapping.is_missing(value):
            continue
        municipality = _municipality(table, row, index, catalogue, rejections)
        if municipality is None:
            continue
        rows.append({
            "kpi": (_row_kpi(table, row, catalogue) if has_kpi_column else context.kpi) or "",
            "municipality": municipality, "period": cell(row, period_column),
            "gender": _row_gender(table, row, context.gender, mapping), "value": value,
            "row": index + 1,
        })
    return rows


def read_values(path: Path, *, known_kpis: Mapping[str, str],
                known_municipalities: Mapping[str, str], layout: str | None = None,
                mapping_path: Path = MAPPING, max_bytes: int | None = None,
                rejections: validate.Rejections | None = None) -> pd.DataFrame:
    """Values (kpi_id, municipality_id, year, gender, value, count) from a Kolada web export.

    `known_kpis` and `known_municipalities` map ids to titles, so names can be read too.
    With `rejections`, bad rows are set aside there (with sheet, row, column and reason)
    instead of stopping the import; a file without a readable table is still refused.
    """
    path = Path(path)
    if layout is not None and layout not in LAYOUTS:
        raise InputError(f"okänt upplägg «{layout}».", Location(str(path)),
                         hint="Ange --layout tidy eller --layout wide, eller utelämna det.")
    mapping = web_mapping(mapping_path)
    catalogue = Catalogue(mapping, known_kpis, known_municipalities)
    grids = read_grids(path, max_bytes=max_bytes)
    frames = []
    for grid in grids:
        table = find_table(grid, mapping, layout)
        if table is None:
            continue
        rows = (_tidy_rows if table.layout == "tidy" else _wide_rows)(table, path, catalogue,
                                                                      rejections)
        if not rows:
            continue
        raw = pd.DataFrame(rows)
        columns = {"kpi": table.heading_of("kpi", "kpi_title", default="nyckeltal"),
                   "municipality": table.heading_of("municipality", "municipality_name"),
                   "period": table.heading_of("period", default="år"),
                   "gender": table.heading_of("gender", default="kön"),
                   "value": table.heading_of("value", default="värde")}
        frames.append(validate.kolada_values(
            raw, str(path), known_kpis=catalogue.kpis,
            known_municipalities=catalogue.municipalities, sheet=grid.sheet, columns=columns,
            rejections=rejections))
    if not frames and rejections is not None and rejections.total:
        return pd.DataFrame(columns=validate.VALUE_COLUMNS)  # every row was set aside
    if not frames:
        kind = {"tidy": "en rad per värde (nyckeltal, kommun, år, värde)",
                "wide": "en rad per kommun och årtal som kolumner"}
        wanted = kind[layout] if layout else " eller ".join(kind.values())
        sheets = [g.sheet for g in grids if g.sheet]
        raise InputError(
            f"hittar ingen tabell med {wanted} i de första {HEADER_SEARCH_ROWS} raderna"
            + (f" på något av bladen ({', '.join(sheets)})" if sheets else "") + ".",
            Location(str(path)), hint=HINT)
    values = pd.concat(frames, ignore_index=True)
    keys = ["kpi_id", "municipality_id", "year", "gender"]
    conflicts = values.loc[values.duplicated(keys, keep=False)]
    if conflicts.groupby(keys)["value"].nunique().gt(1).any():
        first = conflicts.iloc[0]
        raise InputError(
            f"{first['kpi_id']} för {first['municipality_id']} {first['year']} "
            f"({first['gender']}) står på två blad med olika värden.", Location(str(path)),
            hint="Ta bort bladet som är fel. Ingenting har sparats; databasen är oförändrad.")
    return values.drop_duplicates(keys).reset_index(drop=True)
