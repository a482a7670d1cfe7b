"""One follow-up year in Chromium: from the overview for 2021 every link keeps the year, goal 3
for 2021 speaks of nothing later as current, every status leads to its meaning on
/sa-laser-du, and on a phone the first verdict is read without scrolling. Axe finds nothing on
these pages at desktop width and at 360 px."""

import re

import pytest

from tests.e2e.conftest import PageProblems, open_page, open_table_views
from tests.e2e.visits import AXE, DESKTOP, RULES, describe

YEAR = 2021
INTERNAL_LINKS = "links => links.map(a => a.getAttribute('href'))"


# The main landmark's text (charts' axes and tables included), without the choice of year,
# whose options name every year.
TEXT_BESIDE_THE_YEAR_CHOICE = """() => {
    const main = document.querySelector('main').cloneNode(true);
    main.querySelectorAll('.year-form').forEach(form => form.remove());
    return main.textContent.replace(/\\s+/g, ' ');
}"""


def text_beside_the_year_choice(page) -> str:
    open_table_views(page)
    return page.evaluate(TEXT_BESIDE_THE_YEAR_CHOICE).replace("\u00a0", " ")


def no_axe_violations(page) -> None:
    violations = AXE.run(page, options=RULES).response["violations"]
    assert violations == [], f"{page.url}: {describe(violations)}"


def new_page(browser, **context):
    page = browser.new_context(**context).new_page()
    page.problems = PageProblems(page)
    return page


@pytest.mark.browser
def test_the_year_survives_every_link_and_the_answer_comes_first(browser, server_url):
    page = new_page(browser, **DESKTOP)
    try:
        open_page(page, f"{server_url}/?ar={YEAR}")
        hrefs = page.locator("a[href^='/']").evaluate_all(INTERNAL_LINKS)
        assert len(hrefs) > 20
        for href in hrefs:  # the menu, the cards, the statuses, the downloads, the report
            if href.startswith("/logga-in"):
                continue
            assert f"ar={YEAR}" in href or href.startswith(f"/export/rapport/{YEAR}."), href
        assert page.locator("main").get_by_text("Så bedöms målen:").count() == 1
        no_axe_violations(page)

        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Mål 3").click()
        page.wait_for_url(f"**/mal/3?ar={YEAR}")
        open_page(page, page.url)
        assert page.get_by_label("Uppföljningsår").input_value() == str(YEAR)
        text = text_beside_the_year_choice(page)
        assert f"Bedömning {YEAR}: " in text and f"Status {YEAR}: " in text
        # nothing after the year as current: no value, sentence, axis or status of 2023, 2025
        rest = text.replace("nästa 2023", "")
        assert "2023" not in rest and "2025" not in rest
        no_axe_violations(page)

        page.locator("main .status-link").first.click()
        page.wait_for_url(re.compile(rf"/sa-laser-du\?ar={YEAR}#[a-z-]+$"))
        page.wait_for_selector("main h1")
        assert page.locator("main h1").inner_text() == "Så läser du Målbild"
        explained = page.locator(f"#{page.url.rsplit('#', 1)[1]}")
        page.wait_for_function("window.scrollY > 0")  # the word's place is shown
        assert 0 <= explained.bounding_box()["y"] < DESKTOP["viewport"]["height"]
        no_axe_violations(page)
        assert page.problems.messages == []
    finally:
        page.context.close()

    phone = new_page(browser, viewport={"width": 360, "height": 780}, locale="sv-SE",
                     bypass_csp=True, is_mobile=True, has_touch=True)
    try:
        open_page(phone, f"{server_url}/?ar={YEAR}")
        first = phone.locator(".answer-first li").first
        box = first.bounding_box()
        assert box["y"] + box["height"] <= 780, box  # read without scrolling
        # The verdict the data allow (uncertain: every one the margins leave open), then counts.
        assert re.match(r"Mål 1: (✗ Ej uppnått|± Ej uppnått[^–]*) – \d av 3 mått når målet",
                        " ".join(first.inner_text().split()))
        no_axe_violations(phone)
        for path in (f"/mal/1?ar={YEAR}", "/sa-laser-du"):
            open_page(phone, server_url + path)
            no_axe_violations(phone)
        assert phone.problems.messages == []
    finally:
        phone.context.close()
