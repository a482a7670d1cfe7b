"""The example files in data/demo are what the generator makes, and never touch real KPIs."""

import io

import pandas as pd
from openpyxl import load_workbook

from etl.demo import (
    CONTACT_YEARS,
    EXAMPLE_KKIK_FILE,
    SURVEY_YEARS,
    UNIT_LEVEL_YEARS,
    contact_file_name,
    generate_contact_rows,
    generate_kkik_examples,
    generate_survey_rows,
    survey_file_name,
    survey_unit_rows,
)
from etl.extract import kolada_files
from etl.extract.contacts import read_contacts
from etl.settings import DEFAULT_DATA_DIR
from etl.workdays import swedish_calendar

DEMO = DEFAULT_DATA_DIR / "demo"


def test_kkik_example_file_is_current():
    kommuner = [m["id"] for m in kolada_files.fetch_municipalities(DEFAULT_DATA_DIR / "kolada")
                if m["type"] == "K"]
    generated = generate_kkik_examples(kommuner)
    buffer = io.StringIO()
    generated.to_csv(buffer, index=False, lineterminator="\n")
    assert (DEMO / EXAMPLE_KKIK_FILE).read_text(encoding="utf-8") == buffer.getvalue()


def test_example_kpis_are_not_in_the_real_extract():
    real = set(pd.read_csv(DEFAULT_DATA_DIR / "kolada" / "values.csv.gz", usecols=["kpi"])["kpi"])
    assert not set(pd.read_csv(DEMO / EXAMPLE_KKIK_FILE)["kpi"]) & real


def test_survey_files_are_current_and_labelled():
    for year in SURVEY_YEARS:
        path = DEMO / survey_file_name(year)
        rows = generate_survey_rows(year)
        if year in UNIT_LEVEL_YEARS:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            title, data = lines[0], [line.split(";") for line in lines[4:]]
            assert "EXEMPELDATA" in title
            assert data == [[str(v) for v in row] for row in survey_unit_rows(year)]
            assert int(data[-1][3]) == len(rows)  # the total row counts every respondent
            continue
        if path.suffix == ".csv":
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            title, data = lines[0], lines[3:]
        else:
            workbook = load_workbook(path, read_only=True)
            values = list(workbook["Svar"].iter_rows(values_only=True))
            title, data = values[0][0], values[2:]
            staff = list(workbook["Anställda"].iter_rows(values_only=True))
            assert staff[0] == ("Förvaltning", "Enhet", "Antal anställda")
            assert sum(r[2] for r in staff[1:]) == 581
        assert "EXEMPELDATA" in title
        assert len(data) == len(rows)
        assert 400 <= len(rows) <= 600  # about 600 employees, most of whom answer


def test_contact_files_are_current_labelled_and_readable():
    calendar = swedish_calendar()
    for year in CONTACT_YEARS:
        path = DEMO / contact_file_name(year)
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        assert "EXEMPELDATA" in lines[0]
        assert [line.split(";") for line in lines[2:]] == generate_contact_rows(year, calendar)
        table = read_contacts(path, mapping=DEFAULT_DATA_DIR / "mappings" /
                              "contact_headers.toml")
        assert table.years == [year]
        per_channel = {c: sum(1 for x in table.contacts if x.channel == c)
                       for c in ("e-post", "telefon", "brev")}
        assert all(25 <= n <= 60 for n in per_channel.values()), per_channel
        assert len({x.forvaltning for x in table.contacts}) >= 4
