"""Goal 3 in Chromium: the enheter of a chosen förvaltning, the response rate, "ingen mätning"
in the years between surveys, and the selection kept in the URL."""

from urllib.parse import quote

import pytest

from tests.e2e.conftest import open_page, open_table_views, wait_for_charts
from tests.e2e.test_pages import text_of

UNITS = "document.querySelector('#goal3-units').textContent"


@pytest.mark.browser
def test_choosing_a_forvaltning_shows_its_enheter_and_lives_in_the_url(viewer_page, server_url):
    page = viewer_page  # the survey per unit is shown to those logged in
    open_page(page, server_url + "/mal/3?ar=2025")
    assert "Intern kommunikation per förvaltning 2025" in text_of(page)
    page.select_option("#goal3-forvaltning", "Socialförvaltningen")
    page.wait_for_url(f"**/mal/3?ar=2025&forv={quote('Socialförvaltningen')}")
    page.wait_for_function(f"{UNITS}.includes('per enhet 2025: Socialförvaltningen')")
    wait_for_charts(page)
    units = text_of(page)
    assert "Barn och familj (n = 21)" in units
    assert "Fördelning av svaren 2025, Socialförvaltningen" in units
    page.go_back()
    page.wait_for_url("**/mal/3?ar=2025")
    page.wait_for_function(f"{UNITS}.includes('per förvaltning 2025')")
    assert page.problems.messages == []


def table_rows(page, caption: str) -> list[list[str]]:
    """The cells of the table with this caption (hidden behind "Visa som tabell" or not)."""
    open_table_views(page)
    return page.evaluate("""caption => {
        const table = [...document.querySelectorAll('main table')]
            .find(t => t.caption && t.caption.textContent.startsWith(caption));
        return table ? [...table.rows].map(r => [...r.cells].map(
            c => c.textContent.replace(/\\s+/g, ' ').trim())) : [];
    }""", caption)


@pytest.mark.browser
def test_response_rate_years_between_and_hme_beside_the_survey(viewer_page, server_url):
    page = viewer_page
    open_page(page, server_url + f"/mal/3?ar=2025&forv={quote('Kommunledningsförvaltningen')}")
    units = table_rows(page, "Kommunledningsförvaltningen: enheter 2025")
    assert units[0] == ["Förvaltning", "Enhet", "Medelvärde (1–5)", "Andel 4–5", "Svarande (n)",
                        "Anställda", "Svarsfrekvens"]
    # 2025 came with a sheet of employees: 13 of Ekonomi's 16 answered the question.
    assert ["Kommunledningsförvaltningen", "Ekonomi", "3,85", "62 %", "13", "16", "81 %"] in units
    # IT (3 answered) and Kommunikation, which would reveal it by subtraction, are not shown.
    assert {row[1] for row in units[1:]} == {"(hela förvaltningen)", "Ekonomi", "HR", "Kansli"}
    years = table_rows(page, "Anställdas syn på den interna kommunikationen")
    wanted = ["År", "Åstorp", "95 %-intervall", "Svarande (n)", "Andel 4–5",
              "Andel 4–5, 95 %-intervall", "Svarsfrekvens"]
    assert [c for c in years[0] if c in wanted] == wanted  # in this order, among others
    columns = [years[0].index(c) for c in wanted]
    assert [years[-2][i] for i in columns] == ["2024", "ingen mätning", "–", "–", "–", "–", "–"]
    assert [years[-1][i] for i in columns] == ["2025", "3,78", "3,69–3,87", "429", "62,7 %",
                                               "58,0–67,1 %", "74 %"]
    assert years[-1][-1] == "Exempeldata"
    beside = table_rows(page, "Medarbetarenkäten och HME år för år")
    assert ["2021", "3,59 (n = 423)", "ingen mätning", "79,6 (n = 128)"] in beside
    assert ["2022", "ingen mätning", "80,5", "79,6 (n = 129)"] in beside
    assert page.problems.messages == []


@pytest.mark.browser
def test_an_unknown_or_hidden_forvaltning_in_the_url_shows_all(viewer_page, server_url):
    page = viewer_page
    open_page(page, server_url + "/mal/3?ar=2025&forv=Finns%20inte")
    assert "Intern kommunikation per förvaltning 2025" in text_of(page)
    assert page.problems.messages == []
