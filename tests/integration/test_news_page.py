"""The page Nytt: what arrived or changed since a date, with old → new, the fastställda reports
and texts a change touches, and links to the measure; public data only for anonymous visitors,
since the last visit for a logged-in one."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from etl import alerts, analysis, archive, db, imports, kolada_sync
from etl.settings import Settings
from tests.conftest import copy_of
from tests.integration import test_privacy
from tests.integration.test_privacy import post_callback
from tests.integration.test_privacy import render as render_path
from tests.served import ADMIN, VIEWER, add_accounts

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_news_page")

HEADER = "kpi,municipality,period,gender,value\n"
NBSP = "\u00a0"
REVISED = f"80,0{NBSP}% → 80,5{NBSP}%"
LABEL = "Gott bemötande vid telefonkontakt (N00640) 2022"
FROZEN = "Fastställd rapport 2022, version 1, bygger på det gamla värdet"


@pytest.fixture(scope="module")
def demo(sqlite_demo, tmp_path_factory) -> Iterator[Settings]:
    """The demo with a fastställd report for 2022, two texts about 2022 (one fastställd, one
    draft), then a file that revises Åstorp's 2022 value behind them."""
    directory = tmp_path_factory.mktemp("nytt")
    with copy_of(sqlite_demo, directory) as settings:
        add_accounts(settings.database_url, (ADMIN, VIEWER))
        engine = db.engine_for(settings.database_url)
        home, kpis = kolada_sync.strategy_kpis(settings)
        archive.freeze(engine, 2022, {"pdf": b"%PDF-1.7"}, kpi_ids=kpis, municipality_id=home,
                       actor="admin-test")
        analysis.save_analysis(engine, "telefon-bemotande", 2022, "Bemötandet håller nivån.",
                               "fastställd", actor="admin-test")
        analysis.save_analysis(engine, "telefon-svar", 2022, "Hemligt utkast om svaren.",
                               "utkast", actor="admin-test")
        path = directory / "revision.csv"
        path.write_text(HEADER + "N00640,1277,2022,T,80.5\nN00647,1277,2022,T,70.5\n",
                        encoding="utf-8")
        imports.import_value_file(engine, path)
        yield settings


# The privacy tests' logged-in clients, over this module's `demo`.
app_client = test_privacy.app_client


def render(client, search: str = "") -> str:
    return render_path(client, "/nytt", search)


def test_anonymous_visitors_see_the_public_changes_and_what_they_touch(app_client):
    page = render(app_client())
    assert "sedan den senaste rapporten fastställdes" in page
    assert LABEL in page and REVISED in page and FROZEN in page
    assert '"/mal/1?ar=2022#telefon-bemotande"' in page
    assert "Fastställd analystext 2022" in page
    # The newest change comes first; the draft text is never named to the public.
    assert page.index("(N00647) 2022") < page.index(LABEL)
    assert "Utkast analystext" not in page and "Hemligt" not in page
    assert '"scope": "col"' in page and "Ändrat sedan" in page  # a table with a caption
    nothing = render(app_client(), "?sedan=2100-01-01")
    assert "Inga värden för strategins mått i Åstorp har kommit till" in nothing
    odd = render(app_client(), "?sedan=igår")
    assert "«igår» är inget datum" in odd and LABEL in odd


def test_logged_in_people_see_what_changed_since_their_last_visit(app_client, demo):
    admin = render(app_client(ADMIN))
    assert "Utkast analystext 2022" in admin  # the draft about N00647's measure, to an admin
    viewer = app_client(VIEWER)
    first = render(viewer)
    assert "Utkast analystext" not in first and LABEL in first
    assert "sedan den senaste rapporten fastställdes" in first  # no visit before
    # A new value arrives after the visit: the next visit shows only that one.
    path = demo.database_url.removeprefix("sqlite:///")
    revision = f"{path}.csv"
    with open(revision, "w", encoding="utf-8") as handle:
        handle.write(HEADER + "N00651,1277,2022,T,12.3\n")
    imports.import_value_file(db.engine_for(demo.database_url), revision)
    second = render(viewer)
    assert "sedan ditt senaste besök" in second
    assert "(N00651) 2022" in second and LABEL not in second


def save_subscription(client, email: str, kinds: list[str]) -> str:
    response = post_callback(client, {
        "output": "subscription-feedback.children",
        "outputs": {"id": "subscription-feedback", "property": "children"},
        "inputs": [{"id": "subscription-save", "property": "n_clicks", "value": 1}],
        "state": [{"id": "subscription-email", "property": "value", "value": email},
                  {"id": "subscription-kinds", "property": "value", "value": kinds}],
        "changedPropIds": ["subscription-save.n_clicks"]})
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_each_person_chooses_their_own_alerts(app_client, demo):
    refused = save_subscription(app_client(), "vem@astorp.se", ["nya"])
    assert "Logga in" in refused
    viewer = app_client(VIEWER)
    bad = save_subscription(viewer, "inte en adress", ["nya"])
    assert "är ingen e-postadress" in bad
    saved = save_subscription(viewer, "lasare@astorp.se", ["faststallt", "nya"])
    assert "Sparat: du får e-post om" in saved
    with db.engine_for(demo.database_url).connect() as connection:
        [person] = [p for p in alerts.subscribers(connection) if p.username == VIEWER.username]
    assert (person.email, person.kinds) == ("lasare@astorp.se", ("faststallt", "nya"))
    page = render_path(viewer, "/bevakning")
    assert "lasare@astorp.se" in page and "Berätta för mig om" in page
