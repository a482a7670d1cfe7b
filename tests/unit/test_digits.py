"""Only the digits 0–9 make a number (issue 23, item 8): "²" is a digit to `str.isdigit()` and
"١" (Arabic-Indic one) a number to `int()`, so each reader of years, codes and grades from
headers, files and settings is tried with both."""

from __future__ import annotations

import pandas as pd
import pytest

from etl import digits, validate
from etl.errors import InputError
from etl.extract import contacts, kolada, kolada_web
from etl.kolada_sync import parse_years
from etl.settings import Settings
from etl.survey import find_year

UNICODE_DIGITS = ("²", "¹²", "١", "٢٠٢٢", "２０２２", "𝟐𝟎𝟐𝟐")


@pytest.mark.parametrize("text", [*UNICODE_DIGITS, "", " 1", "+1", "1_0", "-1", "1.0", None, 1])
def test_only_ascii_digits_are_a_whole_number(text):
    assert digits.whole_number(text) is None
    assert not digits.is_digits(text)


def test_ascii_digits_are_read_and_their_count_is_bounded():
    assert digits.whole_number("2022") == 2022
    assert digits.whole_number("0007") == 7
    assert digits.whole_number("1" * 10) is None  # more than nine digits
    assert digits.whole_number("1" * 10, max_digits=10) == 1_111_111_111


@pytest.mark.parametrize("header", ["²", "١", "٣٠"])
def test_a_retry_after_in_other_digits_is_no_number(header):
    assert kolada.retry_after_seconds(header) is None  # "²" raised ValueError before


@pytest.mark.parametrize("code", ["١٢٧٧", "١277", "12７7"])
def test_the_municipality_setting_takes_ascii_digits_only(code):
    with pytest.raises(ValueError, match="fyra siffror"):
        Settings(municipality=code)


def test_a_kolada_file_year_in_other_digits_is_refused():
    frame = pd.DataFrame({"kpi": ["N00640"], "municipality": ["1277"], "period": ["20٢٢"],
                          "gender": ["T"], "value": ["81.5"], "row": [2]})
    with pytest.raises(InputError, match="inget årtal"):
        validate.kolada_values(frame, "kolada.csv", known_kpis={"N00640"},
                               known_municipalities={"1277"})


def test_test_contacts_dates_and_grades_in_other_digits_are_refused():
    assert contacts.parse_moment("2022-01-05 10:00").at.year == 2022
    for moment in ("٢٠٢٢-01-05 10:00", "2022-01-05 １０:00", "٤٤٥٦٦"):
        with pytest.raises(contacts._CellError, match="känns inte igen som datum"):
            contacts.parse_moment(moment)
    with pytest.raises(contacts._CellError, match="utanför skalan"):
        contacts._grade("٣")


def test_years_and_codes_from_headers_and_arguments_take_ascii_digits_only():
    assert kolada_web.CODE.match("١٢٧٧") is None
    assert kolada_web.CODE_AFTER.match("Åstorp (١٢٧٧)") is None
    assert kolada_web.web_mapping().year_column("20٢٢") is None
    assert kolada_web.web_mapping().year_column("2022") == (2022, None)
    with pytest.raises(InputError):
        parse_years("٢٠٢٢")
    with pytest.raises(InputError):
        kolada._year("https://kolada", "20٢٢", "values[0]")


def test_a_survey_year_in_other_digits_is_not_taken_from_the_title():
    class Table:
        context_text = "Medarbetarenkät 20٢٢ enkat.csv"

        def where(self):
            return None

    with pytest.raises(InputError, match="kan inte avgöra"):
        find_year(Table(), None)
