"""A cell as long as a CSV file may hold (131 072 characters) is read in linear time: the
patterns for a year in a header, a grade, an answer and a decision once took minutes on a cell
of spaces (two runs that may both take the spaces backtrack against each other), and the
results for ordinary cells are as before."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.decision import DecisionRef
from etl.extract import contacts, kolada_web
from etl.extract.survey_files import ANSWER
from etl.extract.tables import MAX_CELL_CHARACTERS

SPACES = " " * (MAX_CELL_CHARACTERS - 10)


def test_a_header_of_spaces_is_no_year():
    mapping = kolada_web.web_mapping()
    assert mapping.year_column("Män" + SPACES + "x") is None
    assert mapping.year_column("2022" + SPACES + "1") is None
    assert mapping.year_column("2021 Kvinnor") == (2021, "K")
    assert mapping.year_column("Män  2022") == (2022, "M")


def test_a_municipality_cell_of_spaces_is_no_code():
    assert kolada_web.CODE_AFTER.match("Åstorp" + SPACES) is None
    assert kolada_web.CODE_AFTER.match("Åstorp (1277)")["code"] == "1277"


def test_a_grade_or_an_answer_of_spaces_is_refused():
    with pytest.raises(contacts._CellError):
        contacts._grade("4" + SPACES + ",")
    assert ANSWER.match("4" + SPACES + ",") is None
    assert contacts._grade("4 – mycket gott") == 4
    assert ANSWER.match("5 = Instämmer helt")[1] == "5"


def test_a_decision_of_spaces_is_kept_as_its_text():
    assert DecisionRef.parse("KS" + SPACES + "x").date is None
    parsed = DecisionRef.parse("KS 2021-12-14 §201, dnr KS 2021/345")
    assert (parsed.body, parsed.date, parsed.paragraph, parsed.diarienummer) == (
        "KS", dt.date(2021, 12, 14), "201", "KS 2021/345")
