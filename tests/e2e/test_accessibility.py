"""WCAG 2.1 AA in a real browser: axe finds nothing on any page, and the page structure holds."""

import itertools

import pytest

from tests.e2e.conftest import open_page
from tests.e2e.visits import describe, on_one_worker

PAGES = [
    "/",
    "/mal/1",
    "/mal/2",
    "/mal/3",
    "/mal/3?ar=2013",
    "/utforska",
    "/rapporter",
    "/nytt",
    "/utforska?kpi=N00640&jmf=G37597&visa=kommuner&kon=1",
    "/utforska?kpi=N00647&jmf=egen&kommuner=1260,1280,1283",
    "/utforska?kpi=N11008&fran=2010",
    "/tillganglighet",
    "/sidan-finns-inte",
    "/logga-in",
    "/logga-in?fel=sp%C3%A4rrad&nasta=/admin",
]
# Drawn for a logged-in administrator: every administration page, and goal 3 with the survey
# per unit and the analysis texts that only administrators see.
ADMIN_PAGES = [
    "/admin",
    "/admin/import",
    "/admin/mal",
    "/admin/mal?matt=intern-kommunikation",
    "/admin/analys?matt=telefon-bemotande&ar=2022",
    "/admin/anvandare",
    "/admin/logg",
    "/rapporter",
    "/mal/3",
    "/bevakning",
]


@pytest.mark.browser
@on_one_worker("desktop")
@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations(visits, path):
    seen = visits("desktop", path, axe=True)  # table views open: checked as the reader gets them
    assert seen.violations == [], describe(seen.violations)
    assert seen.problems == []


@pytest.mark.browser
@on_one_worker("desktop-admin")
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_no_axe_violations_for_an_administrator(visits, path):
    seen = visits("desktop-admin", path, axe=True)
    assert seen.structure["account"].startswith("admin-test")
    assert seen.violations == [], describe(seen.violations)
    assert seen.problems == []


@pytest.mark.browser
@on_one_worker("desktop")
@pytest.mark.parametrize("path", ["/", "/mal/3", "/utforska"])
def test_landmarks_headings_and_language(visits, path):
    structure = visits("desktop", path).structure  # as drawn, before any table view opens
    assert structure["lang"] == "sv"
    assert structure["mains"] == 1
    assert structure["h1s"] == 1
    levels = structure["levels"]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels))


@pytest.mark.browser
def test_skip_link_is_first_and_moves_focus_to_main(page, server_url):
    open_page(page, server_url + "/mal/1")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Hoppa till innehållet"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "innehall"


@pytest.mark.browser
def test_every_chart_has_a_summary_and_a_table(page, server_url):
    for path in ("/mal/1", "/mal/3", "/utforska?kpi=N00640&kon=1"):
        open_page(page, server_url + path)
        blocks = page.locator(".chart-block")
        assert blocks.count() >= 1
        for index in range(blocks.count()):
            block = blocks.nth(index)
            assert block.locator("[role=img][aria-label]").count() == 1
            assert block.locator(".chart-summary").inner_text().strip()
            # The table view opens from the keyboard, and its table is drawn then; the next
            # Tab reaches the table's scrolling region.
            block.locator("details.table-view summary").focus()
            page.keyboard.press("Enter")
            block.locator("details.table-view table caption").wait_for()
            assert block.locator("details.table-view table th").count() >= 2
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.closest('details.table-view')"
                                 " && document.activeElement.matches('.table-scroll')")


@pytest.mark.browser
def test_the_axe_options_still_find_each_kind_of_violation(browser):
    """The options every axe check runs with report violations only (axe skips the details
    of what passes): a page with an image without text, too little contrast, a field without
    a label and a page without a language is refused on each."""
    from tests.e2e.visits import AXE, RULES

    page = browser.new_context().new_page()
    try:
        page.set_content("<html><body><main><h1>Prov</h1><img src='data:,'>"
                         "<p style='color:#bbb;background:#fff'>Ljusgrå text</p>"
                         "<input type='text'></main></body></html>")
        found = {v["id"] for v in AXE.run(page, options=RULES).response["violations"]}
    finally:
        page.context.close()
    assert {"image-alt", "color-contrast", "label", "html-has-lang"} <= found, found
