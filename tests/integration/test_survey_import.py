"""Importing the staff survey: aggregates only, idempotent, one transaction, replace on request."""

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from dashboard import queries
from etl import db, imports, schema, users
from tests.conftest import dump
from tests.survey_data import BY_HAND, EMPLOYEES, QUESTION, respondent_rows, write_csv

MEASURE = "intern-kommunikation"


def stored(url: str) -> dict:
    with db.engine_for(url).connect() as connection:
        rows = connection.execute(select(schema.SurveyResult)).mappings().all()
    return {(r["level"], r["forvaltning"], r["enhet"]): dict(r) for r in rows}


def test_aggregates_are_stored_and_a_second_import_changes_nothing(catalogue_db, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    path = write_csv(tmp_path / "enkat.csv", respondent_rows(2021))
    first = imports.import_survey_file(engine, path, catalogue_db)
    rows = stored(catalogue_db.database_url)
    assert set(rows) == set(BY_HAND)  # six aggregates, not the twenty respondents
    for key, (n, total, counts) in BY_HAND.items():
        row = rows[key]
        assert (row["year"], row["respondents"]) == (2021, n)
        assert row["mean"] == pytest.approx(total / n)
        assert tuple(row[f"answers_{i}"] for i in range(1, 6)) == counts
    assert "kommunen 3,63 (n = 19); 6 enheter sparade, 0 dolda" in first.summary()

    before = dump(catalogue_db.database_url)
    again = imports.import_survey_file(engine, path, catalogue_db)
    assert not again.counts.changed and again.run_id is None
    assert "redan inläst från samma fil; inget ändrat" in again.summary()
    assert dump(catalogue_db.database_url) == before


def test_raised_threshold_hides_at_once_and_the_same_file_updates_the_year(catalogue_db,
                                                                          tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    path = write_csv(tmp_path / "enkat.csv", respondent_rows(2021))
    imports.import_survey_file(engine, path, catalogue_db)
    stricter = catalogue_db.model_copy(update={"anonymity_threshold": 7})
    # Read with the new threshold before any re-import: Plan and Gata (6 each) are hidden.
    shown = queries.survey_results(engine, MEASURE, 7, year=2021)
    assert set(zip(shown["level"], shown["enhet"], strict=True)) == {
        ("kommun", ""), ("förvaltning", ""), ("enhet", "Ängen")}
    result = imports.import_survey_file(engine, path, stricter)  # no --replace for the same file
    assert (result.counts.added, result.counts.removed, result.hidden) == (4, 6, 2)
    assert set(stored(catalogue_db.database_url)) == set(BY_HAND) - {
        ("enhet", "Bygg", "Plan"), ("enhet", "Bygg", "Gata")}


def test_another_file_replaces_a_year_only_on_request_and_the_old_result_is_logged(
        catalogue_db, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    imports.import_survey_file(engine, write_csv(tmp_path / "forsta.csv", respondent_rows(2021)),
                               catalogue_db)
    rows = respondent_rows(2021)
    rows[3][5] = 1  # one answer corrected
    second = write_csv(tmp_path / "rattad.csv", rows)
    result = imports.import_survey_file(engine, second, catalogue_db, replace=True)
    assert "Ersatte resultatet från forsta.csv" in result.summary()
    assert stored(catalogue_db.database_url)[("kommun", "", "")]["mean"] == pytest.approx(65 / 19)
    with engine.connect() as connection:
        event = connection.execute(select(schema.AuditEvent).where(
            schema.AuditEvent.action == "import.survey.replaced")).mappings().one()
    assert (event["action"], event["object_id"]) == ("import.survey.replaced", f"{MEASURE}/2021")
    old = {(r["level"], r["enhet"]): r["mean"] for r in json.loads(event["before"])}
    assert old[("kommun", "")] == pytest.approx(69 / 19)


def test_a_file_imported_for_the_wrong_year_moves_with_replace(catalogue_db, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    path = write_csv(tmp_path / "enkat.csv", respondent_rows(2021))
    imports.import_survey_file(engine, path, catalogue_db, year=2020)
    imports.import_survey_file(engine, path, catalogue_db, year=2021, replace=True)
    assert queries.survey_years(engine, MEASURE) == [2021]


def test_command_line_with_a_separate_employees_file(catalogue_db, tmp_path):
    survey = write_csv(tmp_path / "enkat.csv", respondent_rows(2021))
    staff = write_csv(tmp_path / "anstallda.csv", [["Förvaltning", "Enhet", "Antal anställda"],
                                                   *[[f, e, n] for (f, e), n in EMPLOYEES.items()]])
    env = {**os.environ, "DATABASE_URL": catalogue_db.database_url, "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "dashboard", "etl", "survey", str(survey),
                             "--employees", str(staff)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "enkat.csv: medarbetarenkät 2021, kommunen 3,63 (n = 19)" in " ".join(
        result.stderr.split())
    kommun = queries.survey_results(db.engine_for(catalogue_db.database_url), MEASURE, 5,
                                    level="kommun").iloc[0]
    assert (kommun["employees"], round(kommun["response_rate"], 1)) == (27, 70.4)


def test_goal_page_for_a_survey_of_means_only(catalogue_db, tmp_path):
    """A unit-level file with means only has no distribution: the page says so."""
    from dashboard import runtime
    from dashboard.app import create_app

    engine = db.engine_for(catalogue_db.database_url)
    rows = [[f"Medarbetarenkät 2023: {QUESTION}"], ["Förvaltning", "Antal svar", "Medelvärde"],
            ["Bygg", 12, "3,42"], ["Skola", 7, "4,00"]]
    imports.import_survey_file(engine, write_csv(tmp_path / "medel.csv", rows), catalogue_db)
    with engine.begin() as connection:  # the survey per unit is shown to those logged in
        users.add_user(connection, "lasare", "viewer", "ett långt lösenord", actor="test")
    saved = runtime._settings
    try:
        client = create_app(catalogue_db).server.test_client()
        client.get("/")
        client.post("/logga-in", data={"anvandare": "lasare", "losenord": "ett långt lösenord"})
        answer = client.post("/_dash-update-component", json={
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/mal/3"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []})
    finally:
        runtime._settings = saved
    assert answer.status_code == 200
    text = json.dumps(answer.get_json(), ensure_ascii=False)
    assert "Fördelningen av svaren finns inte för kommunen 2023: filen innehöll bara " \
           "medelvärden." in text
    assert "Bygg (n = 12)" in text
