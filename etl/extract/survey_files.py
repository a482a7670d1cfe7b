"""Staff-survey exports (Excel or CSV) into answers per respondent or rows per unit.

Which header means what is read from `data/mappings/survey_headers.toml`; the goal-3 question
is found by the measure's `survey_question_pattern`. Two shapes are understood:

* respondent level: one row per respondent, unit columns and one column per question (1–5);
* unit level: one row per unit with the number of respondents and the mean or the count of
  each answer 1–5.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from etl.errors import InputError, Location
from etl.extract.tables import Grid, read_grids

UNIT_ROLES = ("forvaltning", "enhet")
COUNT_ROLES = tuple(f"answers_{i}" for i in range(1, 6))
HEADER_SEARCH_ROWS = 30
DEFAULT_QUESTION_PATTERN = r"intern(a)? kommunikation(en)?"
ANSWER = re.compile(r"^([1-5])(?:[.,]0+)?(?:\s*[-–=:.)]?\s*\D.*)?$")


def normalise(text: str) -> str:
    return re.sub(r"[\s\-_:]+", "", text.strip().lower())


@dataclass(frozen=True)
class HeaderMap:
    """Known header names per role, and the answers that mean "no answer"."""

    roles: dict[str, frozenset[str]]
    no_answer: frozenset[str]
    total_rows: frozenset[str]

    def role_of(self, header: str) -> str | None:
        key = normalise(header)
        return next((role for role, names in self.roles.items() if key in names), None)


@lru_cache
def header_map(path: Path) -> HeaderMap:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return HeaderMap(
        roles={role: frozenset(normalise(n) for n in names)
               for role, names in raw["columns"].items()},
        no_answer=frozenset(n.strip().lower() for n in raw["answers"]["no_answer"]),
        total_rows=frozenset(n.strip().lower() for n in raw["units"]["total_rows"]),
    )


@dataclass
class SurveyTable:
    """A survey export reduced to what Målbild needs, with the file row of every entry."""

    source: str
    sheet: str | None
    shape: str  # "respondent" or "unit"
    question: str  # the header (or title text) that identified the goal-3 question
    rows: pd.DataFrame
    context_text: str = ""  # title rows, sheet name and file name: where a year may be written
    columns: dict[str, str] = field(default_factory=dict)  # role -> header as in the file

    def where(self, row: int | None = None, role: str | None = None) -> Location:
        return Location(self.source, sheet=self.sheet, row=row,
                        column=self.columns.get(role, role) if role else None)


def _find_header(grid: Grid, headers: HeaderMap, question: re.Pattern
                 ) -> tuple[int, dict[str, int], int | None] | None:
    """Index of the header row, the columns of known roles, and the question column (if any)."""
    for index, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        roles: dict[str, int] = {}
        question_column = None
        for column, text in enumerate(row):
            if not text:
                continue
            role = headers.role_of(text)
            if role and role not in roles:
                roles[role] = column
            elif question.search(text) and question_column is None:
                question_column = column
        if not any(r in roles for r in UNIT_ROLES):
            continue
        if question_column is not None or "respondents" in roles or "mean" in roles:
            return index, roles, question_column
    return None


def read_survey(path: Path, *, question_pattern: str, mapping: Path,
                max_bytes: int | None = None) -> SurveyTable:
    """Find the survey table in the file and return its unit columns and answers as text."""
    headers = header_map(mapping)
    question = re.compile(question_pattern, re.IGNORECASE)
    grids = read_grids(path, max_bytes=max_bytes)
    found = None
    for grid in grids:
        header = _find_header(grid, headers, question)
        if header:
            found = grid, *header
            break
    if found is None:
        raise InputError(
            "hittar ingen tabell med enhetskolumn (t.ex. «Förvaltning») och svar i de första "
            f"{HEADER_SEARCH_ROWS} raderna"
            + (f" på något av bladen ({', '.join(g.sheet or '' for g in grids)})"
               if grids and grids[0].sheet else "") + ".",
            Location(str(path)),
            hint="Filen ska ha en rubrikrad med «Förvaltning» (och gärna «Enhet») och en kolumn "
            "per fråga, eller en rad per enhet med antal svar. Kända rubriker står i "
            "data/mappings/survey_headers.toml.",
        )
    grid, header_index, roles, question_column = found
    header_row = grid.rows[header_index]
    context = " ".join([Path(path).name, grid.sheet or "",
                        *(" ".join(r) for r in grid.rows[:header_index])])
    columns = {role: header_row[i] for role, i in roles.items()}
    body = grid.rows[header_index + 1:]
    width = len(header_row)

    def column(index: int) -> list[str]:
        return [row[index] if index < len(row) else "" for row in body]

    frame = pd.DataFrame({"row": range(header_index + 2, header_index + 2 + len(body))})
    for role, index in roles.items():
        frame[role] = column(index)
    # Rows with no text at all (spacing, or trailing rows Excel keeps) are not data.
    empty = pd.Series([not any(row[:width]) for row in body], index=frame.index, dtype=bool)
    frame = frame.loc[~empty].copy()

    if question_column is not None and "respondents" not in roles:
        columns["answer"] = header_row[question_column]
        answers = column(question_column)
        frame["answer"] = [answers[i - header_index - 2] for i in frame["row"]]
        return SurveyTable(str(path), grid.sheet, "respondent", header_row[question_column],
                           frame, context, columns)
    match = question.search(context) or (
        question.search(header_row[question_column]) if question_column is not None else None
    )
    if question_column is not None and "mean" not in roles:
        # A unit-level file whose mean column is named after the question.
        roles["mean"] = question_column
        columns["mean"] = header_row[question_column]
        means = column(question_column)
        frame["mean"] = [means[i - header_index - 2] for i in frame["row"]]
    if match is None:
        raise InputError(
            "filen är en sammanställning per enhet, men varken rubrikerna eller raderna ovanför "
            "tabellen nämner frågan om intern kommunikation.",
            Location(str(path), sheet=grid.sheet, row=header_index + 1),
            hint="Skriv frågan i en rubrikrad ovanför tabellen eller i kolumnen för medelvärdet.",
        )
    if "mean" not in roles and not all(r in roles for r in COUNT_ROLES):
        raise InputError(
            "sammanställningen per enhet saknar medelvärde och antal svar per svarsalternativ "
            "1–5.",
            Location(str(path), sheet=grid.sheet, row=header_index + 1),
            hint="Lägg till kolumnen «Medelvärde» eller kolumnerna 1, 2, 3, 4 och 5.",
        )
    return SurveyTable(str(path), grid.sheet, "unit", match.group(0), frame, context, columns)
