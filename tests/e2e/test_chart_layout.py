"""Exported charts never print one element over another: the title, the legend, the year
labels, the x axis's title, the source line, method-change notes and value labels each keep
their own place, for 1–6 series, at the print width (16 cm) and a screen width.

The charts are drawn as the exports draw them (SVG by Kaleido), then measured in one page of a
real browser: every element's box from the browser's own layout."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from dashboard.present import charts, figures
from dashboard.present.export import images
from dashboard.store import queries

SCREEN_WIDTH_PX = 1000
BOXES_JS = """() => [...document.querySelectorAll('div.chart')].map(chart => {
  const box = el => { const r = el.getBoundingClientRect();
                      return [r.left, r.top, r.right, r.bottom]; };
  const all = sel => [...chart.querySelectorAll(sel)].filter(
      el => el.getBoundingClientRect().width > 0);
  const part = (name, sel) => all(sel).map(el => [name, box(el), el.textContent]);
  return {name: chart.dataset.name, parts: [
    ...part('titel', 'g.g-gtitle'), ...part('förklaring', 'g.legend'),
    ...part('x-axelns rubrik', 'g.g-xtitle'), ...part('årtal', 'g.xtick text'),
    ...part('notering', 'g.annotation')]};
})"""


def explore_figure(series: int) -> tuple[str, object]:
    """The explore chart with `series` lines (2–6): the municipality, the mean, a group's
    mean and up to three peers with long names."""
    years = list(range(2014, 2023))
    trend = pd.DataFrame({"year": years, "value": [60 + i for i in range(9)],
                          "all_mean": [55.0] * 9, "all_n": [200] * 9,
                          "peer_mean": [58.0] * 9, "peer_n": [10] * 9, "rank": [20] * 9})
    peers = max(0, series - 3)
    peer_lines = pd.DataFrame([{"municipality_id": f"12{i:02d}", "year": y, "value": 50 + i}
                               for i in range(peers) for y in years])
    if peer_lines.empty:
        peer_lines = pd.DataFrame(columns=["municipality_id", "year", "value"])
    names = {f"12{i:02d}": f"Upplands Väsby kommun nummer {i}" for i in range(peers)}
    text = figures.ChartText("Andel som får svar på e-post inom två arbetsdagar",
                             "Åstorp mot jämförelsegruppen", "Kolada (N00673), Åstorps kommun",
                             2022)
    figure = figures.explore_trend_figure(
        trend, peer_lines, names, "Åstorp", "Liknande kommuner, gymnasieskola" if series > 2
        else None, "%", 1, text)
    return f"utforska med {series} serier", figure


def overlaps(a, b, tolerance: float = 1.0) -> bool:
    return (min(a[2], b[2]) - max(a[0], b[0]) > tolerance
            and min(a[3], b[3]) - max(a[1], b[1]) > tolerance)


@pytest.mark.browser
def test_no_chart_element_prints_over_another(browser, demo_settings):
    from etl.db import engine_for

    engine = engine_for(demo_settings.database_url)
    named = [explore_figure(n) for n in range(2, 7)]
    for goal in queries.goals(engine).itertuples():
        for info in queries.measures(engine, goal.number):
            item = queries.measure_followup(engine, demo_settings, info.id)
            named.append((info.id, charts.measure_figure(item)))
    renderer = images.renderer()
    html = []
    for width in (images.EXPORT_WIDTH_PX, SCREEN_WIDTH_PX):
        for name, figure in named:
            svg = renderer.image(figure, "svg", width_px=width)
            svg = svg.decode() if isinstance(svg, bytes) else svg
            html.append(f'<div class="chart" data-name="{name} ({width} px)">{svg}</div>')
    page = browser.new_page()
    try:
        page.set_content("<html><body style='margin:0'>" + "".join(html) + "</body></html>")
        found = page.evaluate(BOXES_JS)
    finally:
        page.close()
    assert len(found) == 2 * len(named)
    problems = []
    for chart in found:
        parts = chart["parts"]
        assert any(kind == "förklaring" for kind, _b, _t in parts) or "survey" in chart[
            "name"] or "intern" in chart["name"], chart["name"]
        for (kind_a, box_a, text_a), (kind_b, box_b, text_b) in itertools.combinations(
                parts, 2):
            if kind_a == kind_b == "årtal":
                continue
            if overlaps(box_a, box_b):
                problems.append(f"{chart['name']}: {kind_a} «{text_a[:40]}» över "
                                f"{kind_b} «{text_b[:40]}»")
    assert problems == []
    # Goal 1's charts with the own measurement have four legend entries and a source line
    # (the case that printed over itself): the source line is below the legend.
    for chart in found:
        legend = [b for kind, b, _t in chart["parts"] if kind == "förklaring"]
        source = [b for kind, b, t in chart["parts"] if kind == "notering"
                  and t.startswith("Källa:")]
        if legend and source:
            assert source[0][1] >= legend[0][3], chart["name"]


def test_a_value_label_sits_at_its_own_year(demo_settings):
    from etl.db import engine_for

    engine = engine_for(demo_settings.database_url)
    item = queries.measure_followup(engine, demo_settings, "telefon-svar")
    figure = charts.measure_figure(item)
    latest = max(r.year for r in item.rows if r.value is not None)
    labels = [a for a in figure.layout.annotations if a.xref == "x" and a.yref == "y"]
    assert labels and all(a.x == latest and a.xanchor == "center" for a in labels)
