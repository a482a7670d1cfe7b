"""Analysis texts: one per measure and year, utkast → granskad → fastställd, logged."""

import pytest
from sqlalchemy import select

from etl import analysis, db, schema
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
