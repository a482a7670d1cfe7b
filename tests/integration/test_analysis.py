"""Analysis texts: one per measure and year, utkast → granskad → fastställd, logged."""

import pytest
from sqlalchemy import select

from etl import analysis, changes, db, imports, schema
from etl.errors import InputError
from tests.conftest import dump


@pytest.fixture
def engine(catalogue_db):
    return db.engine_for(catalogue_db.database_url)


def stored(engine) -> list[tuple]:
    a = schema.AnalysisText
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            select(a.measure_id, a.year, a.body, a.state, a.updated_by))]


def test_text_goes_from_draft_to_adopted_and_every_step_is_logged(engine):
    assert analysis.save_analysis(engine, "delaktighet", 2022, "Första **utkast**.\r\n",
                                  "utkast", actor="anna")
    assert not analysis.save_analysis(engine, "delaktighet", 2022, "Första **utkast**.",
                                      "utkast", actor="anna")
    analysis.save_analysis(engine, "delaktighet", 2022, "Granskad text.", "granskad",
                           actor="bo")
    analysis.save_analysis(engine, "delaktighet", 2022, "Granskad text.", "fastställd",
                           actor="anna")
    assert stored(engine) == [("delaktighet", 2022, "Granskad text.", "fastställd", "anna")]
    with engine.connect() as connection:
        log = connection.execute(select(schema.AuditEvent.actor, schema.AuditEvent.before,
                                        schema.AuditEvent.after)
                                 .order_by(schema.AuditEvent.id)).all()
    assert [row.actor for row in log] == ["anna", "bo", "anna"]
    assert log[0].before == "" and '"text": "Första **utkast**."' in log[0].after
    assert '"läge": "granskad"' in log[2].before and '"läge": "fastställd"' in log[2].after


def test_an_adopted_text_is_not_rewritten_in_place(engine, catalogue_db):
    analysis.save_analysis(engine, "delaktighet", 2022, "Beslutad text.", "fastställd",
                           actor="anna")
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match="fastställd och ändras inte"):
        analysis.save_analysis(engine, "delaktighet", 2022, "Ändrad i smyg.", "fastställd",
                               actor="anna")
    assert dump(catalogue_db.database_url) == before
    assert analysis.save_analysis(engine, "delaktighet", 2022, "Ändrad öppet.", "utkast",
                                  actor="anna")


@pytest.mark.parametrize(("measure", "year", "state", "body", "problem"), [
    ("finns-inte", 2022, "utkast", "Text", "måttet «finns-inte»"),
    ("delaktighet", 2022, "klar", "Text", "läget «klar»"),
    ("delaktighet", 3000, "utkast", "Text", "året 3000"),
    ("delaktighet", 2022, "utkast", "x" * (analysis.MAX_LENGTH + 1), "högst 20000"),
])
def test_impossible_texts_are_refused(engine, catalogue_db, measure, year, state, body,
                                      problem):
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match=problem):
        analysis.save_analysis(engine, measure, year, body, state, actor="anna")
    assert dump(catalogue_db.database_url) == before


def test_control_characters_are_removed_but_markup_is_kept_as_written(engine):
    analysis.save_analysis(engine, "delaktighet", 2022,
                           "Rad\x00 ett\x0b\n<script>alert(1)</script>  \n", "utkast",
                           actor="anna")
    assert stored(engine)[0][2] == "Rad ett\n<script>alert(1)</script>"


def test_goal_and_year_texts_have_the_same_states_and_only_adopted_ones_are_approved(engine):
    goal, year = analysis.goal_scope(1), analysis.YEAR_SCOPE
    assert analysis.save_analysis(engine, goal, 2022, "Mål 1 i **utkast**.", "utkast",
                                  actor="anna")
    assert analysis.approved_text(engine, goal, 2022) is None
    analysis.save_analysis(engine, goal, 2022, "Mål 1 i **utkast**.", "fastställd", actor="bo")
    assert analysis.approved_text(engine, goal, 2022)["body"] == "Mål 1 i **utkast**."
    analysis.save_analysis(engine, year, 2022, "Året i korthet.", "granskad", actor="anna")
    assert analysis.approved_text(engine, year, 2022) is None
    with pytest.raises(InputError, match="fastställd och ändras inte"):
        analysis.save_analysis(engine, goal, 2022, "Ändrad i smyg.", "fastställd", actor="bo")
    # A year without any value (e-post 2019 has none) takes a text as well.
    assert analysis.save_analysis(engine, "epost-svar", 2019, "Ingen mätning i år.",
                                  "granskad", actor="anna")
    a = schema.AssessmentText
    with engine.connect() as connection:
        rows = connection.execute(select(a.scope, a.year, a.state, a.written_by)
                                  .order_by(a.scope)).all()
    assert [tuple(r) for r in rows] == [("mal-1", 2022, "fastställd", "anna"),
                                        ("samlad", 2022, "granskad", "anna")]
    assert [t["year"] for t in analysis.texts(engine, goal)] == [2022]


def test_an_unknown_goal_is_refused(engine, catalogue_db):
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match="mål 9 finns inte"):
        analysis.save_analysis(engine, analysis.goal_scope(9), 2022, "Text", "utkast",
                               actor="anna")
    assert dump(catalogue_db.database_url) == before


def test_a_separate_approver_may_be_required(engine, catalogue_db):
    analysis.save_analysis(engine, "delaktighet", 2022, "Anna skrev.", "granskad", actor="anna")
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match="den som har skrivit texten får inte fastställa"):
        analysis.save_analysis(engine, "delaktighet", 2022, "Anna skrev.", "fastställd",
                               actor="anna", separate_approver=True)
    with pytest.raises(InputError, match="får inte fastställa"):  # new words are her own
        analysis.save_analysis(engine, "delaktighet", 2022, "Bo skrev om.", "fastställd",
                               actor="bo", separate_approver=True)
    assert dump(catalogue_db.database_url) == before
    # Without the setting the author adopts her own text; with it, someone else does.
    assert analysis.save_analysis(engine, "delaktighet", 2022, "Anna skrev.", "fastställd",
                                  actor="bo", separate_approver=True)
    assert stored(engine) == [("delaktighet", 2022, "Anna skrev.", "fastställd", "bo")]
    analysis.save_analysis(engine, analysis.YEAR_SCOPE, 2022, "Året.", "fastställd",
                           actor="anna")
    assert analysis.approved_text(engine, analysis.YEAR_SCOPE, 2022)["written_by"] == "anna"


def test_adopted_texts_are_out_of_date_when_a_value_behind_them_changes(engine, tmp_path):
    path = tmp_path / "ny.csv"
    path.write_text("kpi,municipality,period,gender,value\nN00640,1277,2022,T,80.0\n",
                    encoding="utf-8")
    imports.import_value_file(engine, path)
    for scope, state in (("telefon-bemotande", "fastställd"), ("mal-1", "fastställd"),
                         ("samlad", "fastställd"), ("mal-2", "fastställd"),
                         ("telefon-svar", "granskad")):
        analysis.save_analysis(engine, scope, 2022, f"Om {scope}.", state, actor="anna")
    analysis.save_analysis(engine, "mal-1", 2020, "Ett äldre år.", "fastställd", actor="anna")
    path.write_text("kpi,municipality,period,gender,value\nN00640,1277,2022,T,79.5\n",
                    encoding="utf-8")
    imports.import_value_file(engine, path)
    with engine.connect() as connection:
        found = changes.adopted_texts_out_of_date(connection, "1277")
        touched = changes.strategy_changes(connection, "1277")[0].texts
    # The measure's text, its goal's and the year's; not goal 2's, not a draft, not 2020's.
    assert found == {("telefon-bemotande", 2022), ("mal-1", 2022), ("samlad", 2022)}
    assert {t.scope for t in touched} == {"telefon-bemotande", "mal-1", "samlad"}
    # Adopted again after the change, the text is current.
    analysis.save_analysis(engine, "mal-1", 2022, "Om mal-1.", "utkast", actor="anna")
    analysis.save_analysis(engine, "mal-1", 2022, "Om mal-1, nya siffror.", "fastställd",
                           actor="anna")
    with engine.connect() as connection:
        assert ("mal-1", 2022) not in changes.adopted_texts_out_of_date(connection, "1277")
