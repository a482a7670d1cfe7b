"""Bounded work and strict numbers on the web (issue 23, items 4, 7 and 8): what a stranger
sends in an address, a callback or an uploaded file costs at most a bounded amount of work,
and only the digits 0–9 name a year, a version or a goal."""

from __future__ import annotations

import base64

import pytest

from etl import archive, db
from etl.errors import InputError
from tests.cli import run_cli
from tests.conftest import make_settings
from tests.integration import test_privacy as privacy
from tests.served import VIEWER

# The privacy review's fixtures (a copy of the demo with accounts, and a client of a new app)
# and its call of a callback and of the page router, for this module too.
demo, app_client = privacy.demo, privacy.app_client
post_callback, render = privacy.post_callback, privacy.render

SURVEY = "/export/chart/intern-kommunikation"
PDF, DOCX = b"%PDF-1.7 rapport 2022\n", b"PK\x03\x04 word"


# --- 8. Only the digits 0–9 ----------------------------------------------------------------------


def test_only_ascii_digits_name_a_year_a_version_or_a_goal(app_client, demo):
    archive.freeze(db.engine_for(demo.database_url), 2022, {"pdf": PDF, "docx": DOCX},
                   kpi_ids=["N00640"], municipality_id="1277", actor="test")
    client = app_client()
    assert client.get("/export/arkiv/2022-1.pdf").data == PDF
    for name in ("²-1.pdf", "2022-١.pdf", "٢٠٢٢-1.pdf", "2022-¹.pdf", "2022-１.pdf",
                 "2022-0000000000001.pdf"):
        answer = client.get(f"/export/arkiv/{name}")
        assert answer.status_code == 404, name
        assert "Ange år, version och format" in answer.get_data(as_text=True)
    assert client.get("/export/rapport/٢٠٢٢.pdf").status_code == 404
    # "?mal=١" is no goal (as "?mal=x"): the whole follow-up, not goal 1's rows
    everything = client.get("/export/data.csv").data
    assert client.get("/export/data.csv?mal=١").data == everything
    assert client.get("/export/data.csv?mal=1").data != everything
    # a year in the address
    assert "Bedömning 2020: " in render(client, "/", "?ar=2020")
    assert "Bedömning 2020: " not in render(client, "/", "?ar=٢٠٢٠")
    viewer = app_client(VIEWER)
    unit = "Kommunledningsförvaltningen"
    assert viewer.get(f"{SURVEY}/fordelning/2021/{unit}.csv").status_code == 200
    assert viewer.get(f"{SURVEY}/fordelning/٢٠٢١/{unit}.csv").status_code == 404


# --- 7. A CSV cell over 131 072 characters -------------------------------------------------------

LONG = "x" * 131_073


@pytest.mark.parametrize(("kind", "text", "row", "column"), [
    ("kolada", f"kpi,municipality,period,gender,value\nN00640,1277,2022,T,{LONG}\n", 2,
     "value"),
    ("kolada", "Kommun;2021;2022\nÅstorp (1277);80;" + LONG + "\n", 2, "C"),
    ("enkat", "Förvaltning;Enhet;Fråga 1\n" + "A;B;4\n" * 3 + f'A;"{LONG}";4\n', 5, "B"),
    ("kontakter", f"Datum;Kanal;Svar\n2024-05-08;e-post;{LONG}\n", 2, "C"),
])
def test_a_csv_cell_over_the_limit_is_refused_with_where_it_is(demo, kind, text, row, column):
    """It gave an HTTP 500 in the browser's preview and a traceback from the command."""
    from dashboard.web import uploads

    upload = "data:text/csv;base64," + base64.b64encode(text.encode()).decode()
    settings = make_settings(demo.database_url)
    with pytest.raises(InputError) as refused:
        uploads.preview(db.engine_for(demo.database_url), settings, kind, upload, "fil.csv")
    message = refused.value.explain()
    assert f"rad {row}, kolumn «{column}»: en cell är längre än 131 072 tecken" in message
    assert "Exportera filen på nytt" in message and LONG not in message


def test_the_contacts_command_refuses_a_long_cell_without_a_traceback(demo, tmp_path):
    path = tmp_path / "kontakter.csv"
    path.write_text(f"Datum;Kanal;Svar\n2024-05-08;e-post;{LONG}\n", encoding="utf-8")
    result = run_cli("etl", "contacts", str(path), url=demo.database_url)
    assert result.returncode != 0
    assert "kontakter.csv, rad 2, kolumn «C»: en cell är längre än 131 072 tecken" in \
        result.stderr
    assert "Traceback" not in result.stderr


# --- 4. Bounded lists and searches ---------------------------------------------------------------


def test_the_own_list_is_deduplicated_and_capped(app_client, demo):
    """2 000 codes gave an 11 MB answer (a "Ta bort" link per code, each with every other
    code); 200 000 kept a worker busy for minutes."""
    from dashboard.store import queries

    codes = list(queries.kommuner(db.engine_for(demo.database_url))["id"])
    client = app_client()
    thirty = render(client, "/utforska", "?jmf=egen&kommuner=" + ",".join(codes[:30]))
    assert thirty.count('"Ta bort"') == 30 and "högst 30 kommuner" not in thirty
    for count in (2_000, 200_000):
        many = ",".join(codes[:40] * (count // 40))
        page = render(client, "/utforska", "?jmf=egen&kommuner=" + many)
        assert page.count('"Ta bort"') == 30
        assert "Den egna listan kan ha högst 30 kommuner; de övriga i adressen togs inte med." \
            in page
        assert len(page) < 1.2 * len(thirty)
        chart = client.get(f"/export/chart/utforska/utveckling.csv?jmf=egen&kommuner={many}")
        assert chart.status_code == 200
        assert "egen lista (30 kommuner)" in chart.get_data(as_text=True)
    twice = render(client, "/utforska", f"?jmf=egen&kommuner={codes[1]},{codes[1]},{codes[2]}")
    assert twice.count('"Ta bort"') == 2 and "högst 30 kommuner" not in twice


def test_every_page_parameter_is_bounded(app_client):
    client = app_client()
    # a parameter of 100 000 characters, or given 1 000 times, draws the page as a short one
    long_unit = render(client, "/mal/3", "?forv=" + "Ö" * 100_000)
    assert len(long_unit) < len(render(client, "/mal/3", "?forv=Ö")) + 5_000
    many = "&".join(f"ar={year}" for year in range(1000, 2000))
    assert render(client, "/", "?" + many) == render(client, "/", "?ar=1000")
    next_page = render(client, "/logga-in", "?nasta=/" + "a" * 100_000)
    assert "a" * 5_000 not in next_page


def kpi_search(client, search, current="N00640"):
    from dashboard.web.pages import explore

    return post_callback(client, {
        "output": f"{explore.KPI}.options", "outputs": {"id": explore.KPI, "property": "options"},
        "inputs": [{"id": explore.SEARCH, "property": "value", "value": search}],
        "state": [{"id": explore.KPI, "property": "value", "value": current}],
        "changedPropIds": [f"{explore.SEARCH}.value"]})


def test_the_kpi_search_reads_a_bounded_text(app_client):
    """900 000 words cost 13 s of CPU: only the first 100 characters are searched (as many
    as the field takes)."""
    client = app_client()
    answer = kpi_search(client, "N00640" + " " * 100 + "zzzz " * 300_000)
    assert answer.status_code == 200
    labels = [o["label"] for o in answer.get_json()["response"]["explore-kpi"]["options"]]
    assert any(label.startswith("N00640 ") for label in labels)
    for odd in ({"a": 1}, ["N00640"], 12):
        assert kpi_search(client, odd, current=["x"]).status_code == 200
