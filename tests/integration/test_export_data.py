"""`malbild export data`: the follow-up table with the design's columns."""

import io

import pandas as pd

from dashboard.present.export.data import COLUMNS, followup_table, to_csv_text
from tests.cli import run_cli
from tests.conftest import FIXTURES


def test_export_lists_astorp_2021_bemotande(demo_settings):
    result = run_cli("export", "data", "--measure", "telefon-bemotande", "--out", "-",
                     url=demo_settings.database_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert ("1,telefon-bemotande,N00640,1277,2021,83.0,81.10,148,85.0,ej-uppnatt,54,148,Kolada,"
            "410,79.1,86.3,inom-felmarginal,i-niva,,,,,,ingen-tidigare,0.14" in lines)
    # 2022: −3,0 since 2021 (Newcombe −8,40–2,38): no sure change. The 80,0 % is no longer
    # "lägre än medelvärdet" (83,73): that needs n ≥ 377 of the 390 answers to the survey.
    assert ("1,telefon-bemotande,N00640,1277,2022,80.0,83.73,137,85.0,ej-uppnatt,111,137,Kolada,"
            "390,75.7,83.7,sakert,i-niva,2021,83.0,-3.0,-8.40,2.38,ingen-sakerstalld-forandring,"
            "0.01" in lines)


def test_change_rank_range_and_probability_of_goal_2_in_2022(demo_engine, demo_settings):
    table = followup_table(demo_engine, demo_settings, goal=2).set_index(["measure", "year"])
    web = table.loc[("webbinformation", 2022)]
    # +7,0 (0,15–13,77 at n = 390 and 410), but not sure at 0,9 × n: no "på väg".
    assert (web["previous_year"], web["previous_value"], round(web["change"], 1)) == (
        2021, 39.2, 7.0)
    assert (round(web["change_ci_low"], 2), round(web["change_ci_high"], 2)) == (0.15, 13.77)
    assert (web["change_word"], web["target_status"]) == (
        "ingen-sakerstalld-forandring", "ej-uppnatt")
    # Delaktighet 41,6 % against 40 %: Jeffreys' probability 0,74 at n = 390, 0,73 at the
    # 351 (0,9 × 390) at which the claims are made.
    assert round(table.loc[("delaktighet", 2022), "p_target"], 2) == 0.73


def test_bootstrap_places_of_delaktighet_2022(demo_engine, demo_settings):
    from etl.followup.build import goal_followups

    item = next(i for i in goal_followups(demo_engine, demo_settings, 2)
                if i.info.id == "delaktighet")
    row = next(r for r in item.rows if r.year == 2022)
    # Place 37 of 137; every municipality drawn again from its own 0,9 × N00528 (seeded):
    # the range reaches from the best quarter to the second worst, so "I nivå med mitten"
    # instead of the "Bättre hälften" that Åstorp's interval alone gave.
    assert (row.peer_rank, row.comparison_n, row.rank_low, row.rank_high) == (37, 137, 18, 71)
    assert (row.n_is_bound, row.sample_n, row.claim_n) == (True, 390, 351)
    again = next(r for r in goal_followups(demo_engine, demo_settings, 2)[1].rows
                 if r.year == 2022)
    assert (again.rank_low, again.rank_high) == (18, 71)


def test_goal_2_in_2022_is_uncertain(demo_settings):
    result = run_cli("export", "goals", "--year", "2022", "--out", "-",
                     url=demo_settings.database_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(",measures_within_margin,verdict_certainty")
    # 46,2 [41,3–51,2] against 50 and 41,6 [36,8–46,6] against 40: both within the margin.
    assert "2,2022,delvis,2,1,0,2,osakert" in lines
    assert "3,2022,ej-uppnatt,1,0,0,0,sakert" in lines


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
