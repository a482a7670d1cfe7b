"""Staff-survey exports (Excel or CSV) into answers per respondent or rows per unit.

Which header means what is read from `data/mappings/survey_headers.toml`; the goal-3 question
is found by the measure's `survey_question_pattern`. Two shapes are understood:

* respondent level: one row per respondent, unit columns and one column per question (1–5);
* unit level: one row per unit with the number of respondents and the mean or the count of
  each answer 1–5.

Title rows above the header, columns in any order and extra columns are fine. A workbook may
also hold a sheet with the number of employees per unit (for the response rate).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from etl.errors import InputError, Location
from etl.extract.tables import (
    HEADER_SEARCH_ROWS,
    ColumnMap,
    Grid,
    Header,
    header_rows,
    header_text,
    read_column_map,
    read_grids,
    unreadable_mapping,
)

UNIT_ROLES = ("forvaltning", "enhet")
COUNT_ROLES = tuple(f"answers_{i}" for i in range(1, 6))
DEFAULT_QUESTION_PATTERN = r"intern(a)?\s+kommunikation(en)?"
# "4", "4,0", "4 – Instämmer delvis", "5 = Instämmer helt": the digit, then only words.
ANSWER = re.compile(r"^([1-5])(?:[.,]0+)?(?:\s*(?:[-–=:.)]\s*)?[^0-9\s.,].*)?$")
# Double-encoded UTF-8 ("FÃ¶rvaltning"): the file was saved in one encoding and read in another.
MOJIBAKE = re.compile(r"Ã[¥¤¶…„–]")
MAPPING_HINT = "Kända rubriker står i data/mappings/survey_headers.toml."


@dataclass(frozen=True)
class HeaderMap:
    """The survey's column map, and the cell texts that mean "no answer" or a total row."""

    columns: ColumnMap
    no_answer: frozenset[str]
    total_rows: frozenset[str]

    def role_of(self, header: str) -> tuple[str, int] | None:
        """The role of a header and its priority (lower wins when two columns share a role)."""
        return self.columns.role_of(header)

    def is_total(self, name: str) -> bool:
        return name.strip().lower() in self.total_rows


@lru_cache
def header_map(path: Path) -> HeaderMap:
    """Read the survey's mapping file (cached per path)."""
    columns = read_column_map(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return HeaderMap(
            columns,
            no_answer=frozenset(n.strip().lower()
                                for n in raw.get("answers", {}).get("no_answer", [])),
            total_rows=frozenset(n.strip().lower()
                                 for n in raw.get("units", {}).get("total_rows", [])),
        )
    except (OSError, tomllib.TOMLDecodeError, AttributeError, TypeError) as exc:
        raise unreadable_mapping(path, exc) from None


@dataclass
class SurveyTable:
    """A survey export reduced to what Målbild needs, with the file row of every entry."""

    source: str
    sheet: str | None
    shape: str  # "respondent", "unit" or "employees"
    question: str  # the header (or title text) that identified the goal-3 question
    rows: pd.DataFrame
    context_text: str = ""  # title rows, sheet name and file name: where a year may be written
    columns: dict[str, str] = field(default_factory=dict)  # role -> header as in the file
    header_row: int = 1  # the row of the file that holds the headers
    employees: SurveyTable | None = None  # employees per unit, from another sheet

    def where(self, row: int | None = None, role: str | None = None) -> Location:
        return Location(self.source, sheet=self.sheet, row=row,
                        column=self.columns.get(role, role) if role else None)


@dataclass
class _Header:
    """A header row that names a unit column, and the columns the question pattern matches."""

    header: Header
    question_columns: list[int]

    @property
    def index(self) -> int:
        return self.header.index

    @property
    def roles(self) -> dict[str, int]:
        return self.header.columns


def _question_columns(row: list[str], question: re.Pattern) -> list[int]:
    # The question first: a numbered question ("3 – Den interna kommunikationen …") must not be
    # taken for the count of answer 3.
    return [column for column, text in enumerate(row)
            if text and question.search(header_text(text))]


def _unit_headers(grid: Grid, headers: HeaderMap, question: re.Pattern) -> Iterator[_Header]:
    """The rows (within the search window) that name a unit column."""
    for header in header_rows(grid, headers.columns,
                              claimed=lambda row: _question_columns(row, question)):
        if any(r in header.columns for r in UNIT_ROLES):
            yield _Header(header, _question_columns(header.texts, question))


def _is_survey_header(header: _Header) -> bool:
    roles = header.roles
    return bool(header.question_columns) or "respondents" in roles or "mean" in roles or all(
        r in roles for r in COUNT_ROLES)


def _find_header(grid: Grid, headers: HeaderMap, question: re.Pattern
                 ) -> tuple[_Header | None, _Header | None]:
    """The survey header row, else the first row that names units but no answers."""
    units_only = None
    for header in _unit_headers(grid, headers, question):
        if _is_survey_header(header):
            return header, None
        units_only = units_only or header
    return None, units_only


def _quoted(texts: list[str], limit: int = 8) -> str:
    shown = [f"«{t}»" for t in texts[:limit]]
    return ", ".join(shown) + (" …" if len(texts) > limit else "")


def _encoding_hint(grids: list[Grid]) -> str:
    sample = " ".join(" ".join(row) for grid in grids for row in grid.rows[:HEADER_SEARCH_ROWS])
    if MOJIBAKE.search(sample) or "\ufffd" in sample:
        return (" Å, ä och ö ser fel ut i filen (t.ex. «Ã¶» för «ö»): den är sparad med en "
                "annan teckenkodning än den anger. Spara den på nytt som CSV UTF-8 eller .xlsx.")
    return ""


def _body_frame(grid: Grid, header: _Header, columns: dict[str, int]) -> pd.DataFrame:
    """The rows under the header: the file row and the text of each column of interest."""
    table = Header(grid, header.index, columns)
    records = list(table.records())
    frame = pd.DataFrame({"row": pd.Series([r.row for r in records], dtype="int64")})
    for name in columns:
        frame[name] = pd.Series([r.cells[name] for r in records], dtype=object)
    return frame


def _context(path: Path, grid: Grid, header: _Header) -> str:
    return " ".join(" ".join([Path(path).name, grid.sheet or "",
                              *(" ".join(r) for r in grid.rows[:header.index])]).split())


def read_survey(path: Path, *, question_pattern: str, mapping: Path,
                max_bytes: int | None = None) -> SurveyTable:
    """Find the survey table in the file and return its unit columns and answers as text."""
    headers = header_map(mapping)
    question = re.compile(question_pattern, re.IGNORECASE)
    grids = read_grids(path, max_bytes=max_bytes)
    found = units_only = None
    for grid in grids:
        header, fallback = _find_header(grid, headers, question)
        if header:
            found = grid, header
            break
        units_only = units_only or (fallback and (grid, fallback))
    if found is None and units_only is not None:
        grid, header = units_only
        texts = [t for t in grid.rows[header.index] if t]
        raise InputError(
            "filen saknar frågan för mål 3: ingen kolumnrubrik passar mönstret "
            f"«{question_pattern}» (rubrikerna är {_quoted(texts)}).",
            Location(str(path), sheet=grid.sheet, row=header.index + 1),
            hint="Kontrollera att exporten innehåller frågan om den interna kommunikationen, "
            "eller ändra survey_question_pattern i strategy.toml. Ingenting har sparats."
            + _encoding_hint(grids),
        )
    if found is None:
        sheets = [g.sheet for g in grids if g.sheet]
        raise InputError(
            "hittar ingen tabell med enhetskolumn (t.ex. «Förvaltning» eller «Enhet») i de "
            f"första {HEADER_SEARCH_ROWS} raderna"
            + (f" på något av bladen ({_quoted(sheets)})" if sheets else "") + ".",
            Location(str(path)),
            hint="Filen ska ha en rubrikrad med «Förvaltning» (och gärna «Enhet» eller "
            "«Avdelning») och en kolumn per fråga, eller en rad per enhet med antal svar. "
            + MAPPING_HINT + _encoding_hint(grids),
        )
    grid, header = found
    table = _survey_table(path, grid, header, question, question_pattern)
    table.employees = next(
        (t for g in grids if g is not grid
         for t in [_employee_table(path, g, headers, question)] if t is not None), None)
    return table


def _survey_table(path: Path, grid: Grid, header: _Header, question: re.Pattern,
                  question_pattern: str) -> SurveyTable:
    header_row = grid.rows[header.index]
    where = Location(str(path), sheet=grid.sheet, row=header.index + 1)
    context = _context(path, grid, header)
    roles = dict(header.roles)
    if len(header.question_columns) > 1:
        raise InputError(
            f"flera kolumner passar frågemönstret «{question_pattern}»: "
            f"{_quoted([header_row[i] for i in header.question_columns])}.",
            where,
            hint="Gör survey_question_pattern i strategy.toml så precist att det bara passar "
            "frågan för mål 3, eller ta bort de andra kolumnerna. Ingenting har sparats.",
        )
    question_column = header.question_columns[0] if header.question_columns else None
    has_counts = all(r in roles for r in COUNT_ROLES)
    is_unit_level = "respondents" in roles or has_counts or question_column is None
    if not is_unit_level:
        roles["answer"] = question_column
        columns = {role: header_row[i] for role, i in roles.items()}
        frame = _body_frame(grid, header, roles)
        return SurveyTable(str(path), grid.sheet, "respondent", header_row[question_column],
                           frame, context, columns, header.index + 1)
    match = question.search(context) or (
        question.search(header_row[question_column]) if question_column is not None else None)
    if question_column is not None and "mean" not in roles:
        # A unit-level file whose mean column is named after the question.
        roles["mean"] = question_column
    if match is None:
        raise InputError(
            "filen är en sammanställning per enhet, men varken rubrikerna eller raderna ovanför "
            f"tabellen nämner frågan om intern kommunikation (mönstret «{question_pattern}»).",
            where,
            hint="Skriv frågan i en rubrikrad ovanför tabellen eller i kolumnen för medelvärdet. "
            "Ingenting har sparats.",
        )
    if "mean" not in roles and not has_counts:
        raise InputError(
            "sammanställningen per enhet saknar medelvärde och antal svar per svarsalternativ "
            "1–5.",
            where,
            hint="Lägg till kolumnen «Medelvärde» eller kolumnerna 1, 2, 3, 4 och 5. "
            + MAPPING_HINT,
        )
    columns = {role: header_row[i] for role, i in roles.items()}
    frame = _body_frame(grid, header, roles)
    return SurveyTable(str(path), grid.sheet, "unit", match.group(0), frame, context, columns,
                       header.index + 1)


def _employee_table(path: Path, grid: Grid, headers: HeaderMap, question: re.Pattern
                    ) -> SurveyTable | None:
    """A sheet with unit columns and the number of employees (and no answers), if it is one."""
    for header in _unit_headers(grid, headers, question):
        if "employees" not in header.roles or _is_survey_header(header):
            continue
        roles = {r: c for r, c in header.roles.items() if r in (*UNIT_ROLES, "employees")}
        return SurveyTable(str(path), grid.sheet, "employees", "",
                           _body_frame(grid, header, roles),
                           columns={r: header.header.texts[c] for r, c in roles.items()},
                           header_row=header.index + 1)
    return None


def read_employees(path: Path, *, mapping: Path, max_bytes: int | None = None) -> SurveyTable:
    """A separate file with the number of employees per unit (for the response rate)."""
    headers = header_map(mapping)
    never = re.compile(r"(?!)")
    grids = read_grids(path, max_bytes=max_bytes)
    for grid in grids:
        table = _employee_table(path, grid, headers, never)
        if table is not None:
            return table
    raise InputError(
        "hittar ingen tabell med enhetskolumn och antal anställda.",
        Location(str(path)),
        hint="Filen ska ha kolumnerna «Förvaltning» (och gärna «Enhet») och «Antal anställda». "
        + MAPPING_HINT + _encoding_hint(grids),
    )
