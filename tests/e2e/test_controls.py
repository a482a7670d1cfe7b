"""Controls say what they do: no select shows as empty, a slow report says it is being made,
and the anonymous /mal/3 says why ?ar=&forv= shows nothing more."""

import time

import pytest

from tests.e2e.conftest import open_page
from tests.e2e.test_explore import wait_for_query


def shown_option(page, selector: str) -> str:
    """The text a select shows (that of its selected option)."""
    return page.locator(selector).evaluate("s => s.options[s.selectedIndex].text")


@pytest.mark.browser
def test_selects_never_show_a_blank_first_option(admin_page, server_url):
    open_page(admin_page, server_url + "/mal/3")
    assert shown_option(admin_page, "#goal3-forvaltning") == "Alla förvaltningar"
    open_page(admin_page, server_url + "/admin/logg")
    assert shown_option(admin_page, "select") == "Alla ändringar"
    assert admin_page.problems.messages == []


@pytest.mark.browser
def test_anonymous_goal_3_says_why_the_address_shows_nothing_more(page, server_url):
    open_page(page, server_url + "/mal/3?ar=2021&forv=Socialf%C3%B6rvaltningen")
    reason = page.locator("#survey-login-reason").inner_text()
    assert "väljer en förvaltning" in reason  # ?ar= is the follow-up year, open to all
    assert "Socialförvaltningen" not in reason  # a name in the address is never repeated
    assert "Logga in" in reason
    login = page.get_by_role("link", name="Logga in").last.get_attribute("href")
    assert "ar%3D2021" in login or "ar=2021" in login
    open_page(page, server_url + "/mal/3")
    assert page.locator("#survey-login-reason").count() == 0


@pytest.mark.browser
def test_the_report_link_says_it_is_being_made_and_then_that_it_is_ready(page, server_url):
    open_page(page, server_url + "/")
    # The report is held back a moment, so that "being made" is seen even when it is quick.
    page.route("**/export/rapport/*", lambda route: (time.sleep(1.5), route.continue_()))
    link = page.locator("a[href='/export/rapport/2022.docx']")
    assert link.inner_text() == "Årsrapport 2022 som Word (DOCX, redigerbar)"
    with page.expect_download(timeout=120_000) as download:
        link.click()
        page.wait_for_function("document.getElementById('report-status').textContent"
                               ".includes('Rapporten skapas')")
        busy = link.evaluate("a => [a.getAttribute('aria-disabled'), a.textContent]")
        assert busy == ["true", "Rapporten skapas …"]
    assert download.value.suggested_filename == "arsrapport-2022.docx"
    page.wait_for_function("document.getElementById('report-status').textContent"
                           ".includes('Klar: arsrapport-2022.docx har laddats ner')")
    assert link.get_attribute("aria-disabled") is None
    assert link.inner_text() == "Årsrapport 2022 som Word (DOCX, redigerbar)"
    assert page.problems.messages == []


@pytest.mark.browser
def test_form_controls_are_the_browsers_own_and_report_what_the_user_did(page, server_url):
    open_page(page, server_url + "/utforska")
    # The element itself with its label, in no wrapper of its own; no blank option added.
    kinds = page.evaluate("""() => ['explore-kpi', 'explore-search', 'explore-add-municipality']
        .map(id => { const e = document.getElementById(id);
                     return [e.tagName, e.className, e.labels.length,
                             e.parentElement.className]; })""")
    assert kinds == [["SELECT", "form-select", 1, "control"],
                     ["INPUT", "form-control", 1, "control"],
                     ["INPUT", "form-control", 1, "inline"]]
    assert page.locator("#explore-kpi option").first.get_attribute("value") != ""
    count = page.locator("#explore-kpi option").count

    # The search field reports its words only on Enter (or when it is left) ...
    before = count()
    page.fill("#explore-search", "bemötande")
    page.wait_for_timeout(300)
    assert count() == before
    page.press("#explore-search", "Enter")
    page.wait_for_function(f"document.querySelectorAll('#explore-kpi option').length < {before}")
    found = page.locator("#explore-kpi option:not([disabled]):not(:checked)").all_inner_texts()
    assert found and all("bemötande" in text.lower() for text in found)
    # ... and a check box is labelled and reports its list of ticked values.
    box = page.get_by_label("Visa varje jämförelsekommun (högst 12)")
    assert box.evaluate("b => b.type") == "checkbox"
    box.check()
    wait_for_query(page, "visa=kommuner")
    assert page.problems.messages == []


@pytest.mark.browser
def test_a_report_made_in_the_background_shows_its_progress_and_can_be_cancelled(page,
                                                                                server_url):
    """/rapporter makes the report as a background callback: a labelled progress bar that
    moves, the page usable meanwhile, the file downloaded when ready; «Avbryt» stops it."""
    open_page(page, server_url + "/rapporter")
    page.get_by_label("År", exact=True).select_option("2022")
    page.get_by_label("Format").select_option("docx")
    bar = page.get_by_role("progressbar", name="Rapporten skapas")
    texts: list[str] = []
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="Skapa rapporten").click()
        bar.wait_for(timeout=30_000)
        assert page.get_by_role("button", name="Skapa rapporten").is_disabled()
        while not page.locator(".message-ok").count():
            text = page.locator("#reports-make-progress-text").inner_text()
            if text and text not in texts:
                texts.append(text)
            page.wait_for_timeout(100)
    assert download.value.suggested_filename == "arsrapport-2022.docx"
    assert "Klar: arsrapport-2022.docx" in page.locator(".message-ok").inner_text()
    assert any(text.startswith("Diagram") for text in texts), texts
    assert bar.is_hidden()

    page.get_by_role("button", name="Skapa rapporten").click()
    cancel = page.get_by_role("button", name="Avbryt")
    cancel.wait_for(timeout=30_000)
    page.wait_for_function("!document.getElementById('reports-make-progress-cancel').disabled")
    cancel.click()
    bar.wait_for(state="hidden", timeout=30_000)
    assert page.get_by_role("button", name="Skapa rapporten").is_enabled()
    assert page.problems.messages == []
