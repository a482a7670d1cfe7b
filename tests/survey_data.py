"""Survey files for tests, written in the layouts survey tools export, with hand-calculated
aggregates to compare imports against."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

QUESTION = "Den interna kommunikationen i kommunen fungerar bra"

# (förvaltning, enhet, answers to the goal-3 question); "Vet ej" and "" are no answer.
ANSWERS = [
    ("Bygg", "Plan", [5, 4, 4, 3, 5, 2]),
    ("Bygg", "Gata", [1, 2, 3, 3, 4, "Vet ej", 5, ""]),
    ("Skola", "Ängen", [4, 4, 4, 4, 4, 5, 3]),
]
EMPLOYEES = {("Bygg", "Plan"): 8, ("Bygg", "Gata"): 10, ("Skola", "Ängen"): 9}

# By hand: key -> (n, sum of answers, counts of 1..5). Plan 5+4+4+3+5+2 = 23; Gata
# 1+2+3+3+4+5 = 18 ("Vet ej" and blank left out); Ängen 5·4+5+3 = 28.
BY_HAND = {
    ("kommun", "", ""): (19, 69, (1, 2, 4, 8, 4)),
    ("förvaltning", "Bygg", ""): (12, 41, (1, 2, 3, 3, 3)),
    ("enhet", "Bygg", "Plan"): (6, 23, (0, 1, 1, 2, 2)),
    ("enhet", "Bygg", "Gata"): (6, 18, (1, 1, 2, 1, 1)),
    ("förvaltning", "Skola", ""): (7, 28, (0, 0, 1, 5, 1)),
    ("enhet", "Skola", "Ängen"): (7, 28, (0, 0, 1, 5, 1)),
}
EMPLOYEES_BY_HAND = {("kommun", "", ""): 27, ("förvaltning", "Bygg", ""): 18,
                     ("enhet", "Bygg", "Plan"): 8, ("enhet", "Bygg", "Gata"): 10,
                     ("förvaltning", "Skola", ""): 9, ("enhet", "Skola", "Ängen"): 9}


def respondents() -> list[tuple[int, str, str, object]]:
    """(id, förvaltning, enhet, answer) for every respondent of ANSWERS."""
    rows, number = [], 100
    for forvaltning, enhet, answers in ANSWERS:
        for answer in answers:
            number += 1
            rows.append((number, forvaltning, enhet, answer))
    return rows


def write_csv(path: Path, rows: Sequence[Sequence[object]], *, delimiter: str = ";",
              encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def respondent_rows(year: int = 2021, question: str = QUESTION) -> list[list[object]]:
    """The plainest respondent-level export: a title row, then the header and one row each."""
    return [[f"Medarbetarenkät {year}"], [],
            ["Respondent-ID", "Förvaltning", "Enhet", "Kön", "Jag trivs", question],
            *[[rid, f, e, "Kvinna", 4, a] for rid, f, e, a in respondents()]]
