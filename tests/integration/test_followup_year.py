"""The overview speaks of one follow-up year, with a verdict per goal; the exports carry the
intervals and the verdicts (issue: a verdict the board can trust)."""

import json
import re

import pytest

from dashboard.present.export import data as export
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
    from dashboard.store import runtime
    from dashboard.web.app import app_for

    previous = runtime._settings
    yield app_for(demo_settings.model_copy(update={"cache": False})).server.test_client()
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
    from dashboard.present import words
    from dashboard.present.export import report
    from dashboard.store import runtime
    from dashboard.web.app import app_for
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
        client = app_for(demo_copy.model_copy(update={"cache": False})).server.test_client()
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


def text_of(node) -> str:
    """The text a reader gets of a drawn page (its answer as JSON: Dash's components, and
    the elements of `native.Static` as [tag, attributes, *children])."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        if len(node) >= 2 and isinstance(node[0], str) and isinstance(node[1], dict):
            node = node[2:]  # an element of a static tree: its children
        return "".join(text_of(child) for child in node)
    if isinstance(node, dict):
        props = node.get("props", node)
        return text_of(props.get("children") or props.get("tree") or "")
    return ""


def page_text(client, path: str, search: str = "") -> str:
    return re.sub(r"\s+", " ", text_of(json.loads(render(client, path, search))))


def verdicts_said(text: str, year: int) -> list[tuple[str, str]]:
    """("Ej uppnått", "2 av 3 mått bedömda, 0 når målet; 1 saknar aktuellt värde") per goal,
    as a page, a download or the report says it after "Bedömning <year>: "."""
    return re.findall(rf"Bedömning {year}: \W*(.+?) \(([^)]*)\)", text)


@pytest.fixture
def cached_client(demo_settings):
    """A client whose query results are kept (the data do not change here): pages of many
    years drawn from one build of the follow-up."""
    from dashboard.store import runtime
    from dashboard.web.app import app_for

    previous = runtime._settings
    yield app_for(demo_settings.model_copy(update={"page_cache": False})).server.test_client()
    runtime.configure(previous)


def test_overview_goal_pages_downloads_and_report_agree_for_every_year(
        cached_client, demo_settings, demo_engine):
    from dashboard.present import words
    from dashboard.present.export import downloads, report
    from dashboard.store import queries
    from etl.followup import verdict as verdicts

    client = cached_client
    every = queries.goal_followups(demo_engine, demo_settings)
    goals = sorted({item.info.goal_number for item in every})
    for year in verdicts.follow_up_years(every):
        found = [verdicts.goal_verdict(goal, [i for i in every if i.info.goal_number == goal],
                                       year) for goal in goals]
        decided = [(words.verdict(f).label, words.verdict_counts(f)) for f in found]
        overview = page_text(client, "/", f"?ar={year}")
        assert verdicts_said(overview, year) == decided, year
        for goal, verdict in zip(goals, found, strict=True):  # the answer first, the same
            status = words.verdict(verdict)
            assert f"Mål {goal}: {status.icon}{status.label} – " in overview
        for goal, expected in zip(goals, decided, strict=True):
            page = page_text(client, f"/mal/{goal}", f"?ar={year}")
            assert verdicts_said(page, year) == [expected], (year, goal)
        tables, _names = downloads.goal_tables(demo_engine, demo_settings, year=year)
        downloaded = [verdicts_said(table.notes[0], year)[0] for table in tables[:-1]]
        assert downloaded == decided, year
        written = report.build_report(demo_engine, demo_settings, year)
        assert [(g.verdict.label, g.verdict.rule.rstrip("."))
                for g in written.goals] == [(label, counts.capitalize())
                                            for label, counts in decided], year


def known_for(client, path: str, year: int) -> str:
    """The page's text and its drawn answer (the charts' data too), without the choice of
    year (whose options name every year)."""
    drawn = render(client, path, f"?ar={year}")
    return (re.sub(r"Uppföljningsår[\d]+Visa", "", page_text(client, path, f"?ar={year}"))
            + re.sub(r'\["option", \{[^}]*\}, "\d{4}"\]', "", drawn))


def test_a_goal_page_shows_what_was_known_for_its_year(client):
    page = known_for(client, "/mal/3", 2021)
    assert "Bedömning 2021: " in page and "Status 2021: " in page
    assert "Senaste enkäten 2021, nästa 2023." in page
    assert "Värden efter uppföljningsåret visas inte här" in page
    # nothing later is current: no status, sentence, chart value or axis of 2023 or 2025
    rest = page.replace("nästa 2023", "")
    assert "2023" not in rest and "2025" not in rest
    page = known_for(client, "/mal/1", 2021)
    assert "Egen mätning" not in page and "Data t.o.m. 2021" in page
    assert "2022" not in page.replace("2022–", "")  # no value of 2022 (only the lineage's KPI)
    # the newest year shows everything, with nothing said to be left out
    assert "Värden efter uppföljningsåret" not in render(client, "/mal/3", "?ar=2025")


def test_every_link_of_the_overview_carries_the_year(client):
    page = render(client, "/", "?ar=2021")
    links = re.findall(r"\"href\": \"([^\"]+)\"", page)
    internal = [href for href in links if href.startswith("/")]
    assert {"/mal/1?ar=2021", "/mal/2?ar=2021", "/mal/3?ar=2021",
            "/export/data.xlsx?ar=2021", "/export/rapport/2021.pdf"} <= set(internal)
    assert any(href.startswith("/sa-laser-du?ar=2021#") for href in internal)
    for href in internal:
        assert "ar=2021" in href or href.startswith("/export/rapport/2021."), href
    # the answer comes first, the long rule is said once
    assert page.index("answer-first") < page.index("Så bedöms målen: ") < page.index("mal-1")
    assert page.count("Så bedöms målen: ") == 1


def test_downloads_follow_the_year_of_the_page(client):
    csv_2021 = client.get("/export/data.csv?ar=2021").get_data().decode("utf-8-sig")
    assert "Bedömning 2021" in csv_2021 or ";2021;" in csv_2021
    assert ";2022;" not in csv_2021 and ";2025;" not in csv_2021
    chart = client.get("/export/chart/telefon-bemotande.csv?ar=2020").get_data()
    assert b";2020;" in chart and b";2021;" not in chart
    chart = client.get("/export/chart/epost-svar.csv").get_data()  # the default year, 2022
    assert b";2022;" in chart and b";2023;" not in chart
