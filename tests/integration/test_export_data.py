"""`malbild export data`: the follow-up table with the design's columns."""

import io
import os
import subprocess
import sys

import pandas as pd

from dashboard.export.data import COLUMNS, followup_table, to_csv_text
from tests.conftest import FIXTURES


def test_export_lists_astorp_2021_bemotande(demo_settings):
    env = {**os.environ, "DATABASE_URL": demo_settings.database_url}
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "export", "data", "--measure", "telefon-bemotande",
         "--out", "-"], capture_output=True, text=True, env=env, timeout=120, check=True)
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert ("1,telefon-bemotande,N00640,1277,2021,83.0,81.10,148,85.0,ej-uppnatt,54,148,Kolada,"
            "410,79.1,86.3,inom-felmarginal,i-niva" in lines)


def test_every_measure_and_year_has_a_row(demo_engine, demo_settings):
    table = followup_table(demo_engine, demo_settings)
    assert list(table.columns) == COLUMNS
    assert set(table["measure"]) == {"epost-svar", "telefon-svar", "telefon-bemotande",
                                     "webbinformation", "delaktighet", "intern-kommunikation"}
    survey = table.loc[table["measure"] == "intern-kommunikation"]
    assert set(survey["year"]) == {2013, 2015, 2017, 2019, 2021, 2023, 2025}
    assert (survey["source"] == "Exempeldata").all()
    read_back = pd.read_csv(io.StringIO(to_csv_text(table)))
    assert len(read_back) == len(table)


def test_goal_filter(demo_engine, demo_settings):
    table = followup_table(demo_engine, demo_settings, goal=2)
    assert set(table["measure"]) == {"webbinformation", "delaktighet"}


def test_follow_up_table_is_the_same_on_every_engine(demo_engine, demo_settings):
    """SQLite and PostgreSQL give the very same follow-up table (compared with a file made
    from the demo on SQLite; this test runs on both engines)."""
    expected = (FIXTURES / "followup_demo.csv").read_text(encoding="utf-8")
    assert to_csv_text(followup_table(demo_engine, demo_settings)) == expected
