"""Importing the staff survey: aggregates only, idempotent, one transaction, replace on request."""

import base64
import json
import re

import pytest
from sqlalchemy import select

from dashboard.store import queries
from etl import db, imports, schema, users
from tests.cli import run_cli
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
    assert old[("kommun", "")] == 3.63  # 69 / 19, as the pages show it: no more precision


def test_preview_and_log_keep_no_figures_of_a_unit_hidden_now(catalogue_db, tmp_path):
    """Plan and Gata (6 each) were shown under threshold 5; with threshold 7 they are hidden,
    so neither the preview of a corrected file nor the log of what it replaced has them."""
    engine = db.engine_for(catalogue_db.database_url)
    imports.import_survey_file(engine, write_csv(tmp_path / "forsta.csv", respondent_rows(2021)),
                               catalogue_db)
    stricter = catalogue_db.model_copy(update={"anonymity_threshold": 7})
    rows = respondent_rows(2021)
    rows[3][5] = 1  # one answer corrected
    second = write_csv(tmp_path / "rattad.csv", rows)
    preview = imports.import_survey_file(engine, second, stricter, replace=True, dry_run=True)
    assert {c.enhet for c in preview.changes} == {"", "Ängen"}
    assert all(c.old_mean is None or c.old_mean == round(c.old_mean, 2)
               for c in preview.changes)
    imports.import_survey_file(engine, second, stricter, replace=True)
    with engine.connect() as connection:
        before = connection.scalar(select(schema.AuditEvent.before).where(
            schema.AuditEvent.action == "import.survey.replaced"))
    assert "Plan" not in before and "Gata" not in before
    assert "answers_1" not in before  # nothing beyond what the pages show


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
    result = run_cli("etl", "survey", str(survey), "--employees", str(staff),
                     url=catalogue_db.database_url)
    assert result.returncode == 0, result.stderr
    assert "enkat.csv: medarbetarenkät 2021, kommunen 3,63 (n = 19)" in " ".join(
        result.stderr.split())
    kommun = queries.survey_results(db.engine_for(catalogue_db.database_url), MEASURE, 5,
                                    level="kommun").iloc[0]
    assert (kommun["employees"], round(kommun["response_rate"], 1)) == (27, 70.4)


def test_goal_page_for_a_survey_of_means_only(catalogue_db, tmp_path):
    """A unit-level file with means only has no distribution: the page says so."""
    from dashboard.store import runtime
    from dashboard.web.app import app_for

    engine = db.engine_for(catalogue_db.database_url)
    rows = [[f"Medarbetarenkät 2023: {QUESTION}"], ["Förvaltning", "Antal svar", "Medelvärde"],
            ["Bygg", 12, "3,42"], ["Skola", 7, "4,00"]]
    imports.import_survey_file(engine, write_csv(tmp_path / "medel.csv", rows), catalogue_db)
    with engine.begin() as connection:  # the survey per unit is shown to those logged in
        users.add_user(connection, "lasare", "viewer", "ett långt lösenord", actor="test")
    saved = runtime._settings
    try:
        client = app_for(catalogue_db).server.test_client()
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


# The review's example (issue 23): A (3) and, complementarily, B (10) are hidden beside C (12).
REVIEW_UNITS = [("Ett", "A", [1, 2, 1]), ("Ett", "B", [4] * 10), ("Ett", "C", [3] * 12),
                ("Två", "X", [4] * 20), ("Två", "Y", [2] * 20)]


def review_file(path, units):
    rows = [["Medarbetarenkät 2025"], ["Respondent-ID", "Förvaltning", "Enhet", QUESTION]]
    rows += [[f"{enhet}{i}", forvaltning, enhet, answer]
             for forvaltning, enhet, answers in units for i, answer in enumerate(answers)]
    return write_csv(path, rows)


def shown_keys(engine) -> set:
    shown = queries.survey_results(engine, MEASURE, 5, year=2025)
    return set(zip(shown["level"], shown["forvaltning"], shown["enhet"], strict=True))


def review_view(engine, units) -> tuple[set, list]:
    """What a reader sees of the year now, with the smallest units of the version."""
    return shown_keys(engine), [(f, e) for f, e, _ in units]


def test_a_corrected_export_without_a_unit_is_refused_and_changes_nothing(catalogue_db,
                                                                          tmp_path):
    """Without B, Förvaltning Ett would be 15 = A + C (A = 3), and the kommun 55 (B = 10):
    nothing can be hidden to prevent the kommun's difference, so the import is refused with a
    message that names no hidden unit."""
    url = catalogue_db.database_url
    first = run_cli("etl", "survey", str(review_file(tmp_path / "forsta.csv", REVIEW_UNITS)),
                    url=url)
    assert first.returncode == 0, first.stderr
    assert shown_keys(db.engine_for(url)) >= {("förvaltning", "Ett", ""), ("enhet", "Ett", "C")}
    before = dump(url)
    without_b = [u for u in REVIEW_UNITS if u[1] != "B"]
    result = run_cli("etl", "survey", str(review_file(tmp_path / "utan_b.csv", without_b)),
                     "--replace", url=url)
    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert "utan_b.csv" in message and "kan inte visas" in message
    assert "Ingenting har sparats" in message
    assert not {"A", "B"} & set(re.findall(r"\w+", message))
    assert dump(url) == before


def test_a_corrected_export_that_moves_a_unit_keeps_it_hidden(catalogue_db, tmp_path):
    """B moves to Förvaltning Två: it was hidden, so it stays hidden (the preview does not call
    it "ny"), and nothing shown in either version lets a reader work out A or B."""
    from dashboard.web import uploads
    from tests.survey_disclosure import revealed

    url = catalogue_db.database_url
    engine = db.engine_for(url)
    assert run_cli("etl", "survey", str(review_file(tmp_path / "forsta.csv", REVIEW_UNITS)),
                   url=url).returncode == 0
    views = [review_view(engine, REVIEW_UNITS)]
    moved = [("Två", "B", answers) if enhet == "B" else (f, enhet, answers)
             for f, enhet, answers in REVIEW_UNITS]
    path = review_file(tmp_path / "flyttad.csv", moved)
    upload = "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode()
    preview = uploads.preview(engine, catalogue_db, "enkat", upload, path.name)
    assert all(u["enhet"] != "B" for u in preview.units)
    result = run_cli("etl", "survey", str(path), "--replace", url=url)
    assert result.returncode == 0, result.stderr
    views.append(review_view(engine, moved))
    assert all(key[2] not in {"A", "B"} for keys, _ in views for key in keys)
    # the preview's old and new figures are views of the two versions as well
    assert revealed([*views, ({(u["level"], u["forvaltning"], u["enhet"]) for u in preview.units
                               if u["respondents"] is not None}, views[1][1])]) == set()


def test_the_preview_calls_a_moved_unit_moved(catalogue_db, tmp_path):
    """C (shown) moves to Förvaltning Två: the same unit, "flyttad" with its earlier figures,
    not a new unit beside a removed one."""
    engine = db.engine_for(catalogue_db.database_url)
    imports.import_survey_file(engine, review_file(tmp_path / "forsta.csv", REVIEW_UNITS),
                               catalogue_db)
    moved = [("Två", "C", answers) if enhet == "C" else (f, enhet, answers)
             for f, enhet, answers in REVIEW_UNITS]
    preview = imports.import_survey_file(engine, review_file(tmp_path / "c.csv", moved),
                                         catalogue_db, replace=True, dry_run=True)
    about_c = [(c.forvaltning, c.status, c.respondents, c.old_respondents)
               for c in preview.changes if c.enhet == "C"]
    assert about_c == [("Två", "flyttad", 12, 12)]
