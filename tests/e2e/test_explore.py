"""The explore page: a copied address reopens the same view, and the keyboard does everything."""

import re

import pytest

from tests.e2e.conftest import open_page
from tests.e2e.test_pages import text_of


def wait_for_query(page, *parts: str) -> None:
    """Wait until the address has the parts and the page has been drawn from it."""
    page.wait_for_function(
        """parts => {
            const view = document.getElementById('explore-view');
            const drawn = decodeURIComponent(view ? view.dataset.state : '');
            return parts.every(p => decodeURIComponent(location.search).includes(p)
                                    && drawn.includes(p));
        }""", arg=list(parts))


def view_of(page) -> dict:
    """What the view shows: the chosen values and the text of the results."""
    return {
        "kpi": page.locator("#explore-kpi").input_value(),
        "group": page.locator("#explore-group").input_value(),
        "years": (page.locator("#explore-first-year").input_value(),
                  page.locator("#explore-last-year").input_value(),
                  page.locator("#explore-spread-year").input_value()),
        "results": re.sub(r"Senast inläst.*", "", text_of(page).split("Utforska nyckeltal")[-1]),
    }


@pytest.mark.browser
def test_choices_go_to_the_url_and_a_copied_url_reopens_the_view(page, browser, server_url):
    open_page(page, server_url + "/utforska")
    page.select_option("#explore-kpi", "N00640")
    wait_for_query(page, "kpi=N00640")
    page.select_option("#explore-group", "G33621")
    wait_for_query(page, "jmf=G33621")
    page.select_option("#explore-spread-year", "2021")
    wait_for_query(page, "ar=2021")
    page.get_by_label("Visa varje jämförelsekommun (högst 12)").check()
    wait_for_query(page, "visa=kommuner")
    shown = view_of(page)
    assert shown["kpi"] == "N00640" and shown["group"] == "G33621"
    assert "Alla kommuner 2021" in shown["results"]
    copied = page.url

    other = browser.new_context(viewport={"width": 1280, "height": 900},
                                bypass_csp=True).new_page()
    open_page(other, copied)
    assert view_of(other) == shown
    other.context.close()

    page.go_back()
    page.wait_for_function("!document.getElementById('explore-view').dataset.state"
                           ".includes('visa=kommuner')")
    assert not page.get_by_label("Visa varje jämförelsekommun (högst 12)").is_checked()
    assert page.problems.messages == []


@pytest.mark.browser
def test_peers_and_own_list(page, server_url):
    open_page(page, server_url + "/utforska?kpi=N00640&jmf=G37597")
    text = text_of(page)
    assert "Liknande kommuner, övergripande, Åstorp, 2022" in text
    assert re.search(r"\(n = \d+\)", text)
    page.fill("#explore-add-municipality", "Bjuvv")
    page.click("#explore-add-button")
    page.wait_for_function("document.getElementById('explore-add-feedback').textContent"
                           ".includes('Hittar ingen kommun som heter «Bjuvv»')")
    page.fill("#explore-add-municipality", "Bjuv")
    page.click("#explore-add-button")
    wait_for_query(page, "kommuner=1260", "jmf=egen")
    # An own list of one is named, not "egna jämförelsekommuner (n = 1)".
    assert "Åstorp mot Bjuv och alla mätkommuner" in text_of(page)
    page.fill("#explore-add-municipality", "1283")
    page.press("#explore-add-municipality", "Enter")
    wait_for_query(page, "kommuner=1260,1283")
    page.get_by_role("link", name="Ta bort Bjuv").click()
    page.wait_for_function("!document.getElementById('explore-view').dataset.state"
                           ".includes('1260')")
    assert page.problems.messages == []


def press_and_wait_for_redraw(page, key: str) -> None:
    """Press a key on the focused control and wait until the view is drawn anew."""
    before = page.evaluate("document.getElementById('explore-view').dataset.state")
    page.keyboard.press(key)
    page.wait_for_function(
        "before => document.getElementById('explore-view').dataset.state !== before",
        arg=before)


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent")


def tab_to(page, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element has focus (never touching the mouse)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.id") == element_id:
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{element_id} has no visible focus"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} not reached with Tab (focus on {focused(page)!r})")


@pytest.mark.browser
def test_keyboard_only(page, server_url):
    open_page(page, server_url + "/utforska")
    tab_to(page, "explore-search")
    page.keyboard.type("väntetid")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('#explore-kpi option:not([disabled])').length <= 3")
    tab_to(page, "explore-kpi")
    press_and_wait_for_redraw(page, "ArrowDown")
    assert page.evaluate("document.activeElement.id") == "explore-kpi"
    chosen = page.locator("#explore-kpi").input_value()
    assert chosen in {"U23401", "U31402"}
    assert "Lägre värde är bättre." in text_of(page)

    tab_to(page, "explore-group")
    press_and_wait_for_redraw(page, "ArrowDown")
    assert "jmf=" in page.url
    assert page.evaluate("document.activeElement.id") == "explore-group"

    # A later first year, an earlier last year, and an earlier year for the spread.
    for control, key in (("explore-first-year", "ArrowDown"), ("explore-last-year", "ArrowUp"),
                         ("explore-spread-year", "ArrowUp")):
        tab_to(page, control)
        press_and_wait_for_redraw(page, key)
        assert page.evaluate("document.activeElement.id") == control

    tab_to(page, "explore-add-municipality")
    page.keyboard.type("Klippan")
    page.keyboard.press("Enter")
    wait_for_query(page, "kommuner=1276", "jmf=egen")

    page.keyboard.press("Tab")  # the remove link, or the button first
    for _ in range(5):
        if page.evaluate("document.activeElement.type") == "checkbox":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    wait_for_query(page, "visa=kommuner")
    assert page.problems.messages == []
