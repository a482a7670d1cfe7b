"""Survey exports in many layouts give the aggregates calculated by hand (tests/survey_data.py).

Title rows, sheets, column order, extra columns, separators, encodings, decimal comma,
Swedish and English headers, and both shapes: one row per respondent or per unit.
"""

from collections import Counter
from pathlib import Path

import pytest

from etl import imports
from etl.survey import FORVALTNING, KOMMUN
from tests.conftest import make_settings
from tests.survey_data import (
    BY_HAND,
    EMPLOYEES,
    EMPLOYEES_BY_HAND,
    QUESTION,
    respondent_rows,
    respondents,
    write_csv,
    write_xlsx,
)

SETTINGS = make_settings("sqlite://")


def read(path: Path, year: int | None = None, employees: Path | None = None):
    table, found_year, results = imports.read_survey_results(
        path, SETTINGS, question_pattern=r"intern(a)?\s+kommunikation(en)?", year=year,
        employees=employees)
    return table, found_year, {r.key: r for r in results}


def assert_by_hand(results: dict, *, employees: bool = False) -> None:
    assert set(results) == set(BY_HAND)
    for key, (n, total, counts) in BY_HAND.items():
        result = results[key]
        assert result.respondents == n, key
        assert result.mean == pytest.approx(total / n), key
        assert result.answers == counts, key
        assert result.share_positive == pytest.approx(100 * (counts[3] + counts[4]) / n), key
        assert result.employees == (EMPLOYEES_BY_HAND[key] if employees else None), key
    if employees:
        assert results[(KOMMUN, "", "")].response_rate == pytest.approx(100 * 19 / 27)


# --- One row per respondent ---------------------------------------------------------------------


def test_semicolon_csv_with_title_rows(tmp_path):
    table, year, results = read(write_csv(tmp_path / "enkat.csv", respondent_rows(2021)))
    assert (table.shape, year, table.header_row, table.question) == (
        "respondent", 2021, 3, QUESTION)
    assert_by_hand(results)


def test_comma_csv_in_windows_1252_with_english_headers_in_another_order(tmp_path):
    labels = {1: "1 - Instämmer inte alls", 2: "2", 3: "3", 4: "4", 5: "5 – Instämmer helt",
              "Vet ej": "Don't know", "": ""}
    rows = [["Response ID", "Comment", "Internal: Den interna kommunikationen är god",
             "Unit", "Gender", "Department", "Started"]]
    rows += [[rid, "Bra, men kan bli bättre", labels[a], e, "F", f, "2021-03-01 10:00"]
             for rid, f, e, a in reversed(respondents())]
    path = write_csv(tmp_path / "Netigate export 2021.csv", rows, delimiter=",",
                     encoding="cp1252")
    table, year, results = read(path)
    assert (table.shape, year) == ("respondent", 2021)
    assert table.columns["forvaltning"] == "Department"
    assert_by_hand(results)


def test_excel_with_an_info_sheet_avdelning_floats_and_an_employees_sheet(tmp_path):
    data = [["Medarbetarenkät hösten 2023 – alla svar"],
            ["Sektor", "Ålder", "Avdelning", "Den interna\nkommunikationen (1–5)"]]
    data += [[f, "30-39", e, float(a) if isinstance(a, int) else a or None]
             for _, f, e, a in respondents()]
    staff = [["Antal anställda per avdelning"], ["Förvaltning", "Avdelning", "Antal anställda"]]
    staff += [[f, e, n] for (f, e), n in EMPLOYEES.items()]
    path = write_xlsx(tmp_path / "export.xlsx", {"Om enkäten": [["Enkätverktyget"]],
                                                 "Data": data, "Anställda": staff})
    table, year, results = read(path)
    assert (table.shape, table.sheet, year) == ("respondent", "Data", 2023)
    assert table.employees is not None and table.employees.sheet == "Anställda"
    assert_by_hand(results, employees=True)


def test_employees_from_a_separate_file_with_forvaltning_totals(tmp_path):
    survey = write_csv(tmp_path / "enkat.csv", respondent_rows(2021))
    staff = write_csv(tmp_path / "anstallda.csv", [
        ["Förvaltning", "Enhet", "Anställda"], ["Bygg", "Plan", 8], ["Bygg", "Gata", 10],
        ["Skola", "", 9], ["Fritid", "Bad", 12]], delimiter=",")
    _, _, results = read(survey, employees=staff)
    assert results[(FORVALTNING, "Skola", "")].employees == 9
    assert results[("enhet", "Skola", "Ängen")].employees is None  # only the total is known
    # Fritid had no respondents; its employees still belong to the kommun.
    assert results[(KOMMUN, "", "")].employees == 8 + 10 + 9 + 12


# --- One row per unit ---------------------------------------------------------------------------


def unit_counts() -> list[list[object]]:
    """Per enhet: n (including "Vet ej"), counts 1–5, "Vet ej" and a rounded mean (text)."""
    rows = []
    for (_, forvaltning, enhet), (n, total, counts) in BY_HAND.items():
        if enhet:
            no_answer = Counter(a for rid, f, e, a in respondents()
                                if (f, e) == (forvaltning, enhet))["Vet ej"]
            rows.append([forvaltning, enhet, n + no_answer, *counts, no_answer,
                         f"{total / n:.2f}".replace(".", ",")])
    return rows


def test_unit_counts_csv_with_question_in_title_and_a_total_row(tmp_path):
    rows = [["Resultat per enhet 2021"], [f"Fråga 7: {QUESTION}"],
            ["Förvaltning", "Enhet", "Antal svar", "1 – Instämmer inte alls", "2", "3", "4",
             "5 – Instämmer helt", "Vet ej", "Medelvärde", "Andel positiva (%)"]]
    rows += [[*row, "–"] for row in unit_counts()]
    rows += [["Totalt", "", 20, 1, 2, 4, 8, 4, 1, "3,63", "63"]]
    table, year, results = read(write_csv(tmp_path / "per_enhet.csv", rows))
    assert (table.shape, year) == ("unit", 2021)
    assert_by_hand(results)


def test_unit_counts_excel_with_columns_in_another_order_and_forvaltning_totals(tmp_path):
    header = ["Antal 5", "Antal 4", "Antal 3", "Antal 2", "Antal 1", "Enhet", "Förvaltning",
              "Antal anställda"]
    body = [[*reversed(r[3:8]), r[1], r[0], EMPLOYEES[(r[0], r[1])]] for r in unit_counts()]
    body.insert(2, [3, 3, 3, 2, 1, "", "Bygg", 18])  # the förvaltning's own total row
    path = write_xlsx(tmp_path / "rapport.xlsx", {
        "Intern kommunikation": [["Den interna kommunikationen, antal svar per alternativ"],
                                 header, *body]})
    _, _, results = read(path, year=2019)
    assert_by_hand(results, employees=True)


def test_unit_means_excel_in_english(tmp_path):
    """Means only (rounded, as tools print them): the parents are weighted by n, no
    distribution is known."""
    rows = [["Employee survey 2025: Den interna kommunikationen"], [],
            ["Department", "Unit", "Mean", "Responses", "Employees"],
            ["Bygg", "Plan", 3.83, 6, 8], ["Bygg", "Gata", 3.0, 6, 10],
            ["Skola", "Ängen", 4.0, 7, 9]]
    table, year, results = read(write_xlsx(tmp_path / "units.xlsx", {"Summary": rows}))
    assert (table.shape, year) == ("unit", 2025)
    kommun = results[(KOMMUN, "", "")]
    assert kommun.respondents == 19
    assert kommun.mean == pytest.approx((3.83 * 6 + 3.0 * 6 + 4.0 * 7) / 19)
    assert (kommun.answers, kommun.share_positive, kommun.employees) == (None, None, 27)
    assert results[(FORVALTNING, "Bygg", "")].mean == pytest.approx((3.83 + 3.0) / 2)


def test_forvaltning_only_tab_separated_mean_named_after_the_question(tmp_path):
    rows = [["Förvaltning", "n", "Intern kommunikation, medelvärde", "Kommentar"],
            ["Bygg", "12", "3,42", "—"], ["Skola", "7", "4,00", ""]]
    path = write_csv(tmp_path / "forvaltningar_2017.txt", rows, delimiter="\t",
                     encoding="utf-8")
    table, year, results = read(path)
    assert (table.shape, year, table.columns["mean"]) == (
        "unit", 2017, "Intern kommunikation, medelvärde")
    assert set(results) == {(KOMMUN, "", ""), (FORVALTNING, "Bygg", ""),
                            (FORVALTNING, "Skola", "")}
    assert results[(KOMMUN, "", "")].mean == pytest.approx((3.42 * 12 + 4.0 * 7) / 19)


def test_no_answer_texts_and_tidied_unit_names(tmp_path):
    rows = [["Förvaltning", "Enhet", "Intern kommunikation"],
            ["Bygg ", "Plan  och bygg", "4"], ["Bygg", "Plan och bygg", "Ej svar"],
            ["Bygg", " Plan och bygg", "vet inte"], ["Bygg", "Plan och bygg", "5,0"],
            ["Bygg", "Plan och bygg", "N/A"], ["Bygg", "Plan och bygg", "2 = Instämmer inte"]]
    _, _, results = read(write_csv(tmp_path / "e.csv", rows), year=2021)
    plan = results[("enhet", "Bygg", "Plan och bygg")]
    assert (plan.respondents, plan.answers) == (3, (0, 1, 0, 1, 1))
