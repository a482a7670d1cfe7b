"""Every page in Chromium: it renders, shows the expected numbers and logs no errors."""

import re

import pytest

from tests.e2e.conftest import open_page, open_table_views
from tests.e2e.visits import on_one_worker

NBSP = "\u00a0"


def text_of(page) -> str:
    """All text of the main landmark (tables behind "Visa som tabell" included), spaces folded."""
    open_table_views(page)
    return re.sub(r"\s+", " ", page.locator("main").text_content().replace(NBSP, " "))


@pytest.mark.browser
@on_one_worker("desktop")
@pytest.mark.parametrize(("path", "heading", "expected"), [
    ("/", "Uppföljning av kommunikationsstrategin – Åstorp 2022",
     ["80,0 %", "83,7 % (n = 137)", "plats 111 av 137, trolig plats 65–127", "Ej uppnått",
      "Uppnått – men inom felmarginalen", "På väg", "Bedömning 2022",
      "Ej uppnått, delvis uppnått eller uppnått", "2 inom felmarginalen",
      "Sedan förra mätningen: ingen säkerställd förändring sedan 2021 (−3,0 procentenheter",
      "Sannolikhet att målet är nått: 73 %", "Mål 1: Den externa kommunikationen",
      "Exempeldata", "75,7–83,7 %"]),
    ("/mal/1", "Mål 1: Den externa kommunikationen och tillgängligheten uppfattas som god",
     ["83,0 %", "81,1 %", "54 av 148", "Gott bemötande vid telefonkontakt",
      "Åstorp 80,0 % 2022 (95 %-intervall 75,7–83,7 %, n ≤ 390), i nivå med mätkommunernas "
      "medelvärde 83,7 % (n = 137), plats 111 av 137, trolig plats 65–127",
      "ingen säkerställd förändring sedan 2021: −3,0 (−8,40–2,38)", "≤ 390"]),
    ("/mal/2", "Mål 2: Medborgarna känner delaktighet i kommunens verksamhet",
     ["41,6 %", "Medborgarnas möjlighet att delta"]),
    ("/mal/3", "Mål 3: Den interna kommunikationen uppfattas som god av de anställda",
     # the newest survey up to the default year 2022 is 2021's
     ["3,59", "n = 423", "Medarbetarenkäten per förvaltning", "HME", "80,5",
      "(felmarginal okänd)"]),
])
def test_page_renders_numbers_without_errors(visits, path, heading, expected):
    seen = visits("desktop", path)  # the visit test_accessibility's axe check reads, too
    assert seen.structure["lang"] == "sv"
    assert seen.structure["heading"] == heading
    text = re.sub(r"\s+", " ", seen.text.replace(NBSP, " "))  # as text_of: table views open
    for part in expected:
        assert part in text, part
    assert seen.structure["plots"] >= 1 or path == "/"
    assert seen.problems == []


@pytest.mark.browser
def test_charts_use_decimal_comma(page, server_url):
    open_page(page, server_url + "/mal/1")
    page.wait_for_selector(".js-plotly-plot .ytick text")
    ticks = page.locator(".js-plotly-plot").first.locator(".ytick text").all_text_contents()
    assert ticks and all("." not in t for t in ticks)


@pytest.mark.browser
def test_unknown_goal_and_unknown_page(page, server_url):
    open_page(page, server_url + "/mal/9")
    assert page.locator("main h1").inner_text() == "Målet finns inte"
    open_page(page, server_url + "/finns-inte")
    assert page.locator("main h1").inner_text() == "Sidan finns inte"
    assert page.problems.messages == []


@pytest.mark.browser
def test_the_follow_up_year_of_goal_3_chooses_its_survey_and_lives_in_the_url(viewer_page,
                                                                             server_url):
    page = viewer_page
    open_page(page, server_url + "/mal/3?ar=2015")
    assert "Intern kommunikation per förvaltning 2015" in text_of(page)
    page.select_option("#uppfoljningsar", "2020")  # the newest survey up to 2020 is 2019's
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**/mal/3?ar=2020")
    page.wait_for_function(
        "document.querySelector('#goal3-units')?.textContent.includes('förvaltning 2019')")
    assert "Enkäten 2019, den senaste till och med uppföljningsåret 2020." in text_of(page)
    page.go_back()
    page.wait_for_url("**/mal/3?ar=2015")
    page.wait_for_function(
        "document.querySelector('#goal3-units')?.textContent.includes('förvaltning 2015')")
    assert page.problems.messages == []


@pytest.mark.browser
def test_every_chart_offers_downloads_by_keyboard(page, server_url):
    open_page(page, server_url + "/mal/1")
    groups = page.get_by_role("group", name=re.compile("^Ladda ner "))
    assert groups.count() == page.locator(".js-plotly-plot").count() == 3
    links = groups.first.get_by_role("link")
    assert [re.split(r"\s*\(", link.inner_text())[0] for link in links.all()] == [
        "PNG", "SVG", "PDF", "Excel", "CSV"]
    png = links.first
    png.focus()
    assert page.evaluate("document.activeElement.getAttribute('href')") == \
        "/export/chart/epost-svar.png?ar=2022"
    response = page.request.get(server_url + png.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    csv_link = groups.first.get_by_role("link", name=re.compile("^CSV"))
    response = page.request.get(server_url + csv_link.get_attribute("href"))
    assert response.body().startswith(b"\xef\xbb\xbf")
    assert page.problems.messages == []


@pytest.mark.browser
def test_overview_offers_the_yearly_report(page, server_url):
    open_page(page, server_url + "/")
    docx = page.get_by_role("link", name="Årsrapport 2022 som Word (DOCX, redigerbar)")
    pdf = page.get_by_role("link", name="Årsrapport 2022 som PDF (tillgänglig)")
    assert docx.get_attribute("href") == "/export/rapport/2022.docx"
    pdf.focus()
    assert page.evaluate("document.activeElement.textContent").startswith("Årsrapport 2022")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "arsrapport-2022.pdf"
    assert page.get_by_role("link", name="All data som Excel (xlsx)").count() == 1
    open_page(page, server_url + "/mal/3")  # not logged in: the survey over years and HME
    assert page.get_by_role("group", name=re.compile("^Ladda ner ")).count() == 2
    assert page.problems.messages == []


@pytest.mark.browser
def test_survey_per_unit_needs_login_even_when_public(page, viewer_page, server_url):
    open_page(page, server_url + "/mal/3")
    text = text_of(page)
    assert "Medarbetarenkäten per förvaltning och enhet visas för inloggade användare." in text
    assert "Intern kommunikation per förvaltning" not in text
    assert page.locator("#goal3-forvaltning").count() == 0
    login = page.locator(".login-needed a")
    assert login.get_attribute("href").startswith("/logga-in?nasta=/mal/3")

    open_page(viewer_page, server_url + "/mal/3")
    assert "Intern kommunikation per förvaltning 2021" in text_of(viewer_page)
    assert viewer_page.get_by_role("group", name=re.compile("^Ladda ner ")).count() == 4
    assert page.problems.messages == [] and viewer_page.problems.messages == []


@pytest.mark.browser
def test_the_first_visit_comes_drawn_and_choices_ask_the_router(page, server_url):
    """The index carries the page (dashboard/web/first_visit.py): Dash asks the server for neither
    its layout nor the page. A choice that changes the address then asks the page router, and
    so does going back."""
    asked = []
    page.on("request", lambda r: asked.append(r.url.removeprefix(server_url).split("?")[0]))
    open_page(page, server_url + "/utforska")
    assert page.title() == "Utforska – Målbild"
    assert not {"/_dash-layout", "/_dash-dependencies", "/_dash-update-component"} & set(asked)
    page.select_option("#explore-first-year", "2015")
    page.wait_for_url("**/utforska?fran=2015")
    page.wait_for_function("document.querySelector('#explore-view')?.dataset.state"
                           ".includes('fran=2015')")
    assert asked.count("/_dash-update-component") == 1
    page.go_back()
    page.wait_for_url("**/utforska")
    page.wait_for_function("!document.querySelector('#explore-view')?.dataset.state"
                           ".includes('fran=2015')")
    assert asked.count("/_dash-update-component") == 2
    assert page.problems.messages == []


@pytest.mark.browser
def test_a_goal_page_prints_its_tables_whole_without_navigation(page, server_url):
    """The print stylesheet: every table view open and drawn, as wide as the page at most,
    navigation and download buttons left out, a chart never split over two pages."""
    open_page(page, server_url + "/mal/1")
    closed = page.locator("details.table-view:not([open])").count()
    assert closed > 0
    # The printable width of A4 landscape (297 mm less 2 × 12 mm margins, at 96 px/in).
    page.set_viewport_size({"width": 1030, "height": 900})
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details.table-view:not([open])").count() == 0
    assert page.locator("details.table-view [data-table]").count() == 0  # drawn
    assert not page.locator(".site-header nav").is_visible()
    assert not page.locator(".chart-downloads").first.is_visible()
    main_width = page.locator("main").evaluate("e => e.getBoundingClientRect().width")
    widths = page.locator("main table.data-table").evaluate_all(
        "ts => ts.map(t => t.getBoundingClientRect().width)")
    assert widths and max(widths) <= main_width + 1, (max(widths), main_width)
    assert page.locator(".chart-block").first.evaluate(
        "e => getComputedStyle(e).breakInside") == "avoid"
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details.table-view:not([open])").count() == closed
    assert page.problems.messages == []
