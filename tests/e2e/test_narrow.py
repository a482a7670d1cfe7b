"""Phones: every page at 320–390 px wide in Chromium. Nothing wider than the screen, year labels
horizontal and whole, the legend clear of the axis and the source line, and axe finds nothing.

With MALBILD_SCREENSHOTS=<folder> the pages are also saved as full-page screenshots at 360 px.
"""

import itertools
import re

import pytest

from tests.e2e.conftest import open_page
from tests.e2e.visits import PHONE, describe, on_one_worker

PAGES = [
    "/",
    "/mal/1",
    "/mal/2",
    "/mal/3",
    "/mal/3?ar=2021&forv=Socialf%C3%B6rvaltningen",
    "/utforska",
    "/utforska?kpi=N00640&jmf=G37597&visa=kommuner&kon=1",
    "/utforska?kpi=N00647&jmf=egen&kommuner=1260,1280,1283,1282,1281,1284,1285,1290,1291,1292"
    ",1293&visa=kommuner",
    "/tillganglighet",
    "/logga-in",
    "/sidan-finns-inte",
]
ADMIN_PAGES = ["/mal/3", "/admin", "/admin/import", "/admin/mal", "/admin/analys",
               "/admin/anvandare", "/admin/logg"]
CHART_PAGES = ["/mal/1", "/mal/3", "/utforska",
               "/utforska?kpi=N00647&jmf=egen&kommuner=1260,1280,1283,1282,1281,1284,1285"
               ",1290,1291,1292,1293&visa=kommuner",
               "/utforska?kpi=N00647&jmf=G30826"]


def overlap(a: dict, b: dict, slack: float = 1) -> bool:
    return not (a["right"] <= b["left"] + slack or b["right"] <= a["left"] + slack
                or a["bottom"] <= b["top"] + slack or b["bottom"] <= a["top"] + slack)


def assert_fits(seen) -> None:
    """Nothing wider than the screen, as drawn and with every table view open (the tables
    scroll inside their region, never the page)."""
    for width, viewport in (seen.closed_width, seen.width):
        assert width <= viewport, f"{seen.path}: sidan är {width} px bred på en {viewport} px skärm"


@pytest.mark.browser
@on_one_worker(f"phone-{PHONE}")
@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_scroll_and_no_axe_violations_at_360_px(visits, path):
    seen = visits(f"phone-{PHONE}", path, axe=True)
    assert_fits(seen)
    assert seen.violations == [], describe(seen.violations)
    assert seen.problems == []


@pytest.mark.browser
@on_one_worker(f"phone-{PHONE}-admin")
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_administration_fits_360_px(visits, path):
    seen = visits(f"phone-{PHONE}-admin", path, axe=True)
    assert_fits(seen)
    assert seen.violations == [], describe(seen.violations)


@pytest.mark.browser
@pytest.mark.parametrize("width", [pytest.param(w, marks=on_one_worker(f"window-{w}"))
                                   for w in (320, 390)])
@pytest.mark.parametrize("path", ["/", "/mal/1", "/mal/3", "/utforska", "/tillganglighet"])
def test_no_horizontal_scroll_from_320_to_390_px(visits, path, width):
    assert_fits(visits(f"window-{width}", path))


@pytest.mark.browser
@on_one_worker(f"phone-{PHONE}")
@pytest.mark.parametrize("path", ["/mal/1", "/utforska"])
def test_a_place_in_a_table_wraps_only_after_its_comma(visits, path):
    """"244 av 289" stays on one line in a table on a phone, not a word on each of three: a
    place breaks only after its comma or before its parenthesis ("(felmarginal okänd)")."""
    places = [p for p in visits(f"phone-{PHONE}", path).places if p["text"] != "–"]
    assert places, f"{path}: ingen tabell med kolumnen Plats"
    for place in places:
        assert place["lines"] <= place["pieces"], place


@pytest.mark.browser
@on_one_worker(f"phone-{PHONE}")
@pytest.mark.parametrize("path", CHART_PAGES)
def test_year_labels_are_horizontal_whole_and_only_years_with_data(visits, path):
    years_seen = 0
    for chart in visits(f"phone-{PHONE}", path).charts:
        labels = [t for t in chart["ticks"] if re.fullmatch(r"\d{4}", t["text"])]
        if not labels:
            continue
        years_seen += 1
        texts = [t["text"] for t in chart["ticks"]]
        assert all(re.fullmatch(r"\d{4}", text) for text in texts), texts
        assert int(texts[-1]) <= 2025, f"axeln går förbi åren med data: {texts}"
        for tick in labels:
            assert "rotate" not in tick["transform"], tick
            assert tick["box"]["left"] >= chart["svg"]["left"] - 1, tick
            assert tick["box"]["right"] <= chart["svg"]["right"] + 1, tick
        for left, right in itertools.pairwise(labels):
            assert left["box"]["right"] < right["box"]["left"], (left, right)
    assert years_seen, "inget diagram med årtal"


@pytest.fixture(params=[pytest.param(w, id=f"{w}px", marks=on_one_worker(f"phone-{w}"))
                        for w in (PHONE, 320)])
def narrow_phone(request) -> str:
    return f"phone-{request.param}"


@pytest.mark.browser
@pytest.mark.parametrize("path", CHART_PAGES)
def test_legend_is_below_the_axis_and_above_the_source_line(narrow_phone, visits, path):
    charts = visits(narrow_phone, path).charts
    assert charts, f"{path}: inget diagram"
    for chart in charts:
        assert chart["source"] is not None and chart["sourceText"].startswith("Källa")
        assert chart["source"]["bottom"] <= chart["svg"]["bottom"] + 1, chart["sourceText"]
        assert chart["source"]["right"] <= chart["svg"]["right"] + 1, chart["sourceText"]
        if chart["legend"] is None:
            continue
        legend = chart["legend"]
        assert not overlap(legend, chart["source"]), (legend, chart["source"])
        if chart["plot"] is not None:
            assert not overlap(legend, chart["plot"]), (legend, chart["plot"])
        for tick in chart["ticks"]:
            assert not overlap(legend, tick["box"]), (legend, tick)
        assert legend["right"] <= chart["svg"]["right"] + 1
        for entry in chart["legendTexts"]:  # every name whole, none cut at the chart's edge
            assert entry["right"] <= chart["svg"]["right"] - 2, entry


@pytest.mark.browser
def test_a_chart_turns_wide_when_the_window_grows(browser, server_url):
    """The narrow layout follows the width: after a resize to a desktop the print layout's
    legend (one row beside each other) and the wide title come back."""
    context = browser.new_context(viewport={"width": PHONE, "height": 780}, locale="sv-SE",
                                  bypass_csp=True)
    page = context.new_page()
    try:
        open_page(page, server_url + "/mal/1")
        narrow = page.evaluate("document.querySelector('.js-plotly-plot').layout.meta.applied")
        page.set_viewport_size({"width": 1200, "height": 900})
        page.wait_for_function("document.querySelector('.js-plotly-plot').layout.meta.applied"
                               " === 'wide'")
        title = page.evaluate("document.querySelector('.js-plotly-plot').layout.title.text")
        assert narrow == "narrow"
        assert "<br>" not in title
        # Legend names wrapped on the phone get their whole lines back.
        page.set_viewport_size({"width": PHONE, "height": 780})
        open_page(page, server_url + "/utforska?kpi=N00647&jmf=G30826")
        names = "[...document.querySelectorAll('.js-plotly-plot')][0].data.map(t => t.name)"
        wrapped = page.evaluate(names)
        page.set_viewport_size({"width": 1200, "height": 900})
        page.wait_for_function("document.querySelector('.js-plotly-plot').layout.meta.applied"
                               " === 'wide'")
        wide = page.evaluate("document.querySelector('.js-plotly-plot').layout.meta.names.wide")
        assert page.evaluate(names) == wide != wrapped
    finally:
        context.close()
