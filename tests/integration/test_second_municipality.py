"""A second municipality from the demo (`MALBILD_MUNICIPALITY=1260`): its name in every text,
the strategy shown as an example that it has not adopted, and no other municipality's survey
or test contacts as its own."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from etl import db, demo, imports
from etl.followup import store
from etl.settings import Settings
from tests.conftest import copy_of, make_settings
from tests.integration import test_privacy
from tests.integration.test_privacy import render
from tests.served import VIEWER, add_accounts

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_second_municipality")

BJUV = "1260"


@pytest.fixture(scope="module")
def demo_db(sqlite_demo, tmp_path_factory) -> Iterator[Settings]:
    """The demo (with Åstorp's example survey and contacts in it), shown for Bjuv."""
    with copy_of(sqlite_demo, tmp_path_factory.mktemp("bjuv")) as settings:
        add_accounts(settings.database_url, (VIEWER,))
        yield settings


@pytest.fixture
def app_client(demo_db):
    yield from test_privacy.app_client.__wrapped__(demo_db)


def test_another_municipality_gets_an_example_strategy_adopted_by_nobody(catalogue_db):
    engine = db.engine_for(catalogue_db.database_url)
    own = store.strategy_info(engine)
    assert own.place == "Åstorps kommun" and not own.example_of and own.adopted is not None
    bjuv = store.strategy_info(engine, BJUV)
    assert bjuv.name == "Exempelstrategi för Bjuvs kommun" and bjuv.place == "Bjuvs kommun"
    assert bjuv.adopted is None and bjuv.decision == ""  # Åstorp's KS decision is not Bjuv's
    assert bjuv.example_of == own.name and "Bjuvs kommun har inte beslutat dem" in bjuv.follow_up


def test_the_pages_name_bjuv_and_show_no_survey_or_contacts_of_astorp(app_client):
    client = app_client(municipality=BJUV)
    overview = render(client, "/", "?ar=2022")
    assert "Uppföljning av kommunikationsstrategin – Bjuv 2022" in overview
    assert '"Exempelstrategi för Bjuvs kommun", "."' in overview
    assert overview.count("Åstorp") == 1  # only where the example comes from, in «»
    assert "«Kommunikationsstrategi för Åstorps kommun»" in overview
    goal3 = render(client, "/mal/3", "?ar=2022")
    assert "Bjuv har ännu inget värde för måttet." in goal3
    assert "Åstorp" not in goal3 and "förvaltning" not in goal3.lower()
    # Nor as a download: the survey per förvaltning and its distribution are Åstorp's.
    viewer = app_client(VIEWER, municipality=BJUV)  # per förvaltning needs a login
    for view in ("fordelning/2021.csv", "forvaltningar/2021.csv"):
        answer = viewer.get(f"/export/chart/intern-kommunikation/{view}")
        assert answer.status_code == 404 and "Åstorp" not in answer.get_data(as_text=True)
    goal1 = render(client, "/mal/1", "?ar=2022")
    assert "testkontakt" not in goal1.lower() and "egen mätning" not in goal1.lower()


def test_the_demo_for_another_municipality_leaves_out_the_example_survey_and_contacts(
        tmp_path, monkeypatch):
    settings = make_settings(f"sqlite:///{tmp_path / 'bjuv.sqlite'}", municipality=BJUV)
    # The values are not what this test is about; the survey and contacts steps are.
    monkeypatch.setattr(imports, "import_value_file", lambda *a, **k: SimpleNamespace(
        summary=lambda: "värden"))
    monkeypatch.setattr(imports, "import_survey_file", pytest.fail)
    summaries = demo.build_demo(settings)
    assert summaries[-1].startswith("Exempelenkäten och testkontakterna hör till strategins")
    assert "läses inte in för Bjuvs kommun" in summaries[-1]
    with db.engine_for(settings.database_url).connect() as connection:
        assert connection.exec_driver_sql("select count(*) from contact").scalar() == 0
