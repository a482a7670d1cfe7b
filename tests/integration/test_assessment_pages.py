"""Texts per goal and for the year where the board reads them: the goal page, the overview
and the editor with the numbers the text is about; a fastställd text whose numbers have
changed since is marked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etl import analysis, db, imports
from etl.settings import Settings
from tests.conftest import copy_of
from tests.integration import test_privacy
from tests.integration.test_privacy import render
from tests.served import ADMIN, VIEWER, add_accounts

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_assessment_pages")

MARK = "Siffrorna har ändrats sedan texten fastställdes."


@pytest.fixture(scope="module")
def demo(sqlite_demo, tmp_path_factory) -> Iterator[Settings]:
    """The demo with fastställda texts about 2022 (goal 1, the year, a measure), a draft about
    goal 2, then a revision of the 2022 value of goal 1's bemötande."""
    directory = tmp_path_factory.mktemp("bedomning")
    with copy_of(sqlite_demo, directory) as settings:
        add_accounts(settings.database_url, (ADMIN, VIEWER))
        engine = db.engine_for(settings.database_url)
        for scope, body, state in (
                ("mal-1", "Målet nås **inte** ännu.", "fastställd"),
                ("samlad", "Året i korthet: mer återstår.", "fastställd"),
                ("telefon-bemotande", "Bemötandet håller nivån.", "fastställd"),
                ("mal-2", "Hemligt utkast om mål 2.", "utkast")):
            analysis.save_analysis(engine, scope, 2022, body, state, actor="admin-test")
        analysis.save_analysis(engine, "mal-2", 2021, "Mål 2 år 2021.", "fastställd",
                               actor="admin-test")
        path = directory / "revision.csv"
        path.write_text("kpi,municipality,period,gender,value\nN00640,1277,2022,T,80.5\n",
                        encoding="utf-8")
        imports.import_value_file(engine, path)
        yield settings


app_client = test_privacy.app_client


def test_adopted_texts_are_shown_and_marked_and_drafts_only_to_administrators(app_client):
    anonymous, viewer, admin = app_client(), app_client(VIEWER), app_client(ADMIN)
    overview = render(anonymous, "/", "?ar=2022")
    assert "Samlad bedömning 2022" in overview and "Året i korthet" in overview
    assert MARK in overview
    goal = render(viewer, "/mal/1", "?ar=2022")
    assert "Bedömning av mål 1 2022" in goal and "Målet nås " in goal
    # The goal text and the measure's analysis, both built on the revised value.
    assert goal.count(MARK) == 2
    assert "Hemligt utkast" not in render(viewer, "/mal/2", "?ar=2022")
    assert "Mål 2 år 2021" in render(anonymous, "/mal/2", "?ar=2021")
    assert MARK not in render(anonymous, "/mal/2", "?ar=2021")
    draft = render(admin, "/mal/2", "?ar=2022")
    assert "Hemligt utkast om mål 2" in draft and "Utkast, visas bara för administratörer" in draft


def test_the_editor_offers_every_follow_up_year_and_shows_the_numbers(app_client):
    admin = app_client(ADMIN)
    page = render(admin, "/admin/analys", "?matt=epost-svar&ar=2022")
    assert '"value": "2022"' in page and "Siffrorna 2022 som texten handlar om" in page
    assert "Svar på e-post inom två arbetsdagar" in page and "inget värde 2022" in page
    goal = render(admin, "/admin/analys", "?matt=mal-1&ar=2022")
    for column in ("95 %-intervall", "Medel, jämförda kommuner", "Sedan förra mätningen",
                   "Mot målet"):
        assert column in goal
    assert "Gott bemötande vid telefonkontakt" in goal and "80,5\u00a0%" in goal
    assert "av 3 mått bedömda" in goal  # the goal's verdict in the pages' words
    whole = render(admin, "/admin/analys", "?matt=samlad&ar=2022")
    assert "Samlad bedömning (hela året) 2022" in whole
    assert all(f"Mål {n}: " in whole for n in (1, 2, 3))


def test_the_next_draft_marks_the_adopted_texts_whose_numbers_changed(demo):
    from dashboard.present.export import report

    draft = report.build_report(db.engine_for(demo.database_url), demo, 2022)
    marked = {section.item.info.id: section.analysis.label
              for goal in draft.goals for section in goal.measures if section.analysis}
    assert marked["telefon-bemotande"].endswith(
        "– siffrorna har ändrats sedan texten fastställdes")
    assert draft.overall is not None and draft.overall.numbers_changed
