"""Phones: every page at 320–390 px wide in Chromium. Nothing wider than the screen, year labels
horizontal and whole, the legend clear of the axis and the source line, and axe finds nothing.

With MALBILD_SCREENSHOTS=<folder> the pages are also saved as full-page screenshots at 360 px.
"""

import itertools
import os
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import PageProblems, open_page, open_table_views
from tests.e2e.test_accessibility import AXE, RULES, describe

PHONE = 360
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

PAGE_WIDTH = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"

# Per chart: the x tick labels (text, box, rotation), the legend's box, the plot area's box,
# and the source line's box (the first annotation), all relative to the chart.
CHART_BOXES = """graph => {
    const box = e => { const r = e.getBoundingClientRect();
                       return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
    const svg = graph.querySelector('.main-svg');
    const legend = graph.querySelector('.legend');
    const notes = graph.querySelectorAll('.annotation');
    return {
        svg: box(svg),
        ticks: [...graph.querySelectorAll('.xtick text')].map(t => ({
            text: t.textContent, box: box(t), transform: t.getAttribute('transform') || ''})),
        plot: (p => p ? box(p) : null)(graph.querySelector('.bglayer .bg')
                                       || graph.querySelector('.nsewdrag')),
        legend: legend ? box(legend.querySelector('.bg') || legend) : null,
        // The whole name's end (its box is clipped at the chart's edge, where a name is cut).
        legendTexts: [...graph.querySelectorAll('.legend .legendtext')].flatMap(t => {
            const lines = t.querySelectorAll('tspan.line');
            return [...(lines.length ? lines : [t])].map(line => ({
                text: line.textContent,
                right: line.getBoundingClientRect().left + line.getComputedTextLength()}));
        }),
        source: notes.length ? box(notes[0]) : null,
        sourceText: notes.length ? notes[0].textContent : '',
        height: graph.layout && graph.layout.height,
    };
}"""


def overlap(a: dict, b: dict, slack: float = 1) -> bool:
    return not (a["right"] <= b["left"] + slack or b["right"] <= a["left"] + slack
                or a["bottom"] <= b["top"] + slack or b["bottom"] <= a["top"] + slack)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": PHONE, "height": 780}, locale="sv-SE",
                                  bypass_csp=True,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.problems = PageProblems(page)
    yield page
    context.close()


@pytest.fixture
def admin_phone(browser, logged_in_states):
    context = browser.new_context(viewport={"width": PHONE, "height": 780}, locale="sv-SE",
                                  bypass_csp=True,
                                  is_mobile=True, has_touch=True,
                                  storage_state=logged_in_states["admin"])
    page = context.new_page()
    page.problems = PageProblems(page)
    yield page
    context.close()


def screenshot(page, path: str, prefix: str = "") -> None:
    folder = os.environ.get("MALBILD_SCREENSHOTS")
    if folder:
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "oversikt"
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{prefix}{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_scroll_and_no_axe_violations_at_360_px(phone, server_url, path):
    open_page(phone, server_url + path)
    open_table_views(phone)  # the tables, too, scroll inside their region, never the page
    width, viewport = phone.evaluate(PAGE_WIDTH)
    assert width <= viewport, f"{path}: sidan är {width} px bred på en {viewport} px skärm"
    violations = AXE.run(phone, options=RULES).response["violations"]
    assert violations == [], describe(violations)
    assert phone.problems.messages == []
    screenshot(phone, path)


@pytest.mark.browser
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_administration_fits_360_px(admin_phone, server_url, path):
    open_page(admin_phone, server_url + path)
    width, viewport = admin_phone.evaluate(PAGE_WIDTH)
    assert width <= viewport, f"{path}: sidan är {width} px bred på en {viewport} px skärm"
    violations = AXE.run(admin_phone, options=RULES).response["violations"]
    assert violations == [], describe(violations)
    screenshot(admin_phone, path, "admin-")


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 390])
@pytest.mark.parametrize("path", ["/", "/mal/1", "/mal/3", "/utforska", "/tillganglighet"])
def test_no_horizontal_scroll_from_320_to_390_px(browser, server_url, path, width):
    context = browser.new_context(viewport={"width": width, "height": 780}, locale="sv-SE",
                                  bypass_csp=True)
    page = context.new_page()
    try:
        open_page(page, server_url + path)
        scrolled, viewport = page.evaluate(PAGE_WIDTH)
        assert scrolled <= viewport, f"{path}: sidan är {scrolled} px bred på {viewport} px"
    finally:
        context.close()


PLACE_LINES = r"""() => [...document.querySelectorAll("main table.data-table")].flatMap(table => {
  const column = [...table.querySelectorAll("thead th")]
    .findIndex(th => th.textContent === "Plats");
  if (column < 0) return [];
  return [...table.querySelectorAll("tbody tr")].map(row => {
    const cell = row.children[column], range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    const pieces = cell.textContent.split(/,| \(/).length;
    return {text: cell.textContent, lines: tops.size, pieces};
  });
})"""


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/mal/1", "/utforska"])
def test_a_place_in_a_table_wraps_only_after_its_comma(phone, server_url, path):
    """"244 av 289" stays on one line in a table on a phone, not a word on each of three: a
    place breaks only after its comma or before its parenthesis ("(felmarginal okänd)")."""
    open_page(phone, server_url + path)
    open_table_views(phone)
    places = [p for p in phone.evaluate(PLACE_LINES) if p["text"] != "–"]
    assert places, f"{path}: ingen tabell med kolumnen Plats"
    for place in places:
        assert place["lines"] <= place["pieces"], place


def chart_boxes(page) -> list[dict]:
    return page.locator("main .js-plotly-plot").evaluate_all(
        f"graphs => graphs.map({CHART_BOXES})")


@pytest.mark.browser
@pytest.mark.parametrize("path", CHART_PAGES)
def test_year_labels_are_horizontal_whole_and_only_years_with_data(phone, server_url, path):
    open_page(phone, server_url + path)
    years_seen = 0
    for chart in chart_boxes(phone):
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


@pytest.fixture(params=[PHONE, 320], ids=["360px", "320px"])
def narrow_phone(browser, request):
    context = browser.new_context(viewport={"width": request.param, "height": 780},
                                  locale="sv-SE", bypass_csp=True, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.problems = PageProblems(page)
    yield page
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", CHART_PAGES)
def test_legend_is_below_the_axis_and_above_the_source_line(narrow_phone, server_url, path):
    phone = narrow_phone
    open_page(phone, server_url + path)
    for chart in chart_boxes(phone):
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
