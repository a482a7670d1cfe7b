"""The overview speaks of one follow-up year, with a verdict per goal; the exports carry the
intervals and the verdicts (issue: a verdict the board can trust)."""

import json
import re

import pytest

from dashboard.export import data as export
from etl.followup import build

NBSP = "\u00a0"


def render(client, path: str, search: str = "") -> str:
    response = client.post("/_dash-update-component", json={
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"], "state": []})
    assert response.status_code == 200
    content = json.dumps(response.get_json()["response"]["_pages_content"], ensure_ascii=False)
    return content.replace("\\u00a0", " ").replace(NBSP, " ")


@pytest.fixture
def client(demo_settings):
    from dashboard import runtime
    from dashboard.app import create_app

    previous = runtime._settings
    yield create_app(demo_settings.model_copy(update={"cache": False})).server.test_client()
    runtime.configure(previous)


def test_the_overview_speaks_of_one_year_with_a_verdict_per_goal(client):
    page = render(client, "/")
    assert "Åstorp 2022" in page  # the newest year with a real value
    assert len(re.findall(r"Bedömning 2022: ", page)) == 3
    # goal 2: both measures within their margin, so every verdict the data allow
    for verdict in ("Ej uppnått", "Ej uppnått, delvis uppnått eller uppnått",
                    "2 inom felmarginalen"):
        assert verdict in page
    # every card speaks of 2022 (the survey of 2021 is current for 2022: every second year)
    assert "Senaste enkäten 2021, nästa 2023." in page
    assert "2023 · " not in page and "2025 · " not in page
    # a discontinued method gets no live status
    assert "Senaste mätning 2020 (metoden har upphört)." in page
    assert "Ingen aktuell bedömning" in page
    # the margin of error and what it allows
    assert "95 %-intervall" in page and "75,7–83,7 %" in page
    assert "Ej uppnått – men inom felmarginalen" in page
    assert "plats 111 av 137, trolig plats 65–127" in page
    # what changed, in words no stronger than its interval
    assert "ingen säkerställd förändring sedan 2021 (−3,0 procentenheter" in page
    assert "ökat med 16,3 procentenheter sedan 2021" in page
    assert "Sannolikhet att målet är nått: 73 %" in page


def test_the_follow_up_year_is_chosen_in_the_address(client):
    page = render(client, "/", "?ar=2020")
    assert len(re.findall(r"Bedömning 2020: ", page)) == 3
    assert "Senaste mätning 2020 (metoden har upphört)" not in page  # in use in 2020
    # an unknown year falls back to the default
    assert "Bedömning 2022: " in render(client, "/", "?ar=1999")


def test_goal_pages_show_the_verdict_beside_the_heading(client):
    for goal in (1, 2, 3):
        assert "Bedömning 2022: " in render(client, f"/mal/{goal}")


def test_the_mean_of_those_who_measured_both_years_where_they_differ(client):
    # N00640: 148 kommuner measured 2021 and 137 in 2022, but only 73 both years
    page = render(client, "/mal/1")
    assert "Kommuner som mätte båda åren" in page and "80,9 % → 83,2 % (n = 73)" in page


def test_export_data_has_intervals_and_judgements_at_the_end(demo_settings, demo_engine):
    table = export.followup_table(demo_engine, demo_settings, measure="telefon-bemotande")
    assert list(table.columns)[-12:] == [
        "sample_n", "ci_low", "ci_high", "target_certainty", "versus_mean", "previous_year",
        "previous_value", "change", "change_ci_low", "change_ci_high", "change_word",
        "p_target"]
    text = export.to_csv_text(table).splitlines()
    # 80,0 % is not surely under the mean 83,73 at 0,9 × 390 answers: "i-niva"
    assert ("1,telefon-bemotande,N00640,1277,2022,80.0,83.73,137,85.0,ej-uppnatt,111,137,"
            "Kolada,390,75.7,83.7,sakert,i-niva,") in "\n".join(text)
    assert ("1,telefon-bemotande,N00640,1277,2021,83.0,81.10,148,85.0,ej-uppnatt,54,148,"
            "Kolada,410,79.1,86.3,inom-felmarginal,i-niva,") in "\n".join(text)
    # example data without a known sample: no interval, said as okand; an increase without
    # an interval is no "på väg" and its change cannot be judged
    assert text[1].endswith(",Exempeldata,,,,,okand,,,,,,ingen-tidigare,")
    assert ",okand,okand,2012," in text[2] and ",,,kan-inte-bedomas," in text[2]
    assert ",pa-vag," not in text[2]


def test_export_goals(demo_settings, demo_engine):
    table = export.goals_table(demo_engine, demo_settings, 2022)
    assert export.to_csv_text(table).splitlines() == [
        "goal,year,verdict,measures_assessed,measures_reached,measures_without_current_value,"
        "measures_within_margin,verdict_certainty",
        "1,2022,ej-uppnatt,2,0,1,1,osakert",
        "2,2022,delvis,2,1,0,2,osakert",
        "3,2022,ej-uppnatt,1,0,0,0,sakert",
    ]


def test_every_value_with_a_sample_size_carries_its_interval(demo_settings, demo_engine):
    for item in build.goal_followups(demo_engine, demo_settings):
        for row in item.rows:
            if row.sample_n and row.value is not None and row.unit in ("%", "medelvärde 1–5"):
                assert row.ci_low is not None and row.ci_low <= row.value <= row.ci_high, (
                    item.info.id, row.year)
            if row.sample_n is None:
                assert row.ci_low is None


CONTACTS_2026 = "\n".join([
    "Kanal;Skickad;Besvarad;Handläggare;Bemötande;Förvaltning",
    # e-mail: arrives Thursday 7 May (Ascension Day is 14 May 2026); two working days
    # after the arrival day end on Monday 11 May
    *[f"e-post;2026-05-07 10:{m:02d};2026-05-11 15:00;;4;" for m in range(8)],
    *[f"e-post;2026-05-07 11:{m:02d};2026-05-12 09:00;;3;" for m in range(2)],  # a day late
    *[f"telefon;2026-05-07 kl. 13.{m:02d};;ja;4;" for m in range(6)],
    *[f"telefon;2026-05-07 kl. 14.{m:02d};;nej;2;" for m in range(4)],
]) + "\n"


def test_own_measurement_from_a_file_to_every_output(demo_copy, tmp_path):
    from dashboard import runtime, words
    from dashboard.app import create_app
    from dashboard.export import report
    from etl import db
    from etl.contacts import import_contacts_file

    path = tmp_path / "testkontakter_2026.csv"
    path.write_text(CONTACTS_2026, encoding="utf-8")
    engine = db.engine_for(demo_copy.database_url)
    import_contacts_file(engine, path, demo_copy)

    # export data: own rows with source, n and interval, no comparison
    table = export.to_csv_text(export.followup_table(engine, demo_copy, goal=1)).splitlines()
    assert any(line.startswith("1,epost-svar,,1277,2026,80.0,,,88.0,ej-uppnatt,,,Egen mätning,"
                               "10,49.0,94.3,inom-felmarginal,,") for line in table)
    assert any(line.startswith("1,telefon-svar,,1277,2026,60.0,") and ",Egen mätning,10," in line
               for line in table)

    previous = runtime._settings
    try:
        client = create_app(demo_copy.model_copy(update={"cache": False})).server.test_client()
        overview = render(client, "/")
        goal_page = render(client, "/mal/1")
    finally:
        runtime.configure(previous)
    # the newest real value is now the own measurement of 2026: the overview speaks of 2026
    assert "Bedömning 2026: " in overview
    assert "Egen mätning (n = 10)" in overview and "49,0–94,3 %" in overview
    assert "Status från kommunens egen mätning" in overview
    assert "Egen mätning 2026: 80,0 % (95 %-intervall 49,0–94,3 %, n = 10)" in goal_page

    model = report.build_report(engine, demo_copy, 2026)
    sentences = " ".join(s.summary for g in model.goals for s in g.measures)
    assert "Egen mätning 2026: 80,0 %" in sentences.replace(NBSP, " ")
    assert any("Egen mätning" in r.value or "Egen mätning" in r.comparison
               for r in model.summary_rows)
    assert words.OWN_NAME == "Egen mätning"
