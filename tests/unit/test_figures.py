"""Every figure is valid Plotly (figures skip Plotly's validation for speed; this test does it),
uses Swedish separators, and its colours keep 3:1 contrast against white."""

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.present import charts, figures
from dashboard.present.exploration import build_view
from dashboard.store import queries


def contrast_with_white(colour: str) -> float:
    red, green, blue = (int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
              for c in (red, green, blue)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("colour", figures.CHART_COLOURS)
def test_chart_colours_have_3_to_1_contrast(colour):
    assert contrast_with_white(colour) >= 3.0


def every_figure(engine, settings) -> list[go.Figure]:
    result = []
    for goal in (1, 2, 3):
        result += [charts.measure_figure(item)
                   for item in queries.goal_followups(engine, settings, goal)]
    view = build_view(engine, settings, {"kpi": "N00640", "jmf": "G37597", "visa": "kommuner"})
    result.append(figures.explore_trend_figure(view.trend, view.peer_lines, view.names,
                                               view.home_name, view.peer_label, view.unit,
                                               view.decimals, view.trend_text()))
    result.append(figures.spread_figure(view.spread, view.home_id, "higher", view.unit,
                                        view.decimals, view.spread_text()))
    result.append(figures.gender_figure(view.gender, view.home_name, view.unit, view.decimals,
                                        view.gender_text()))
    return result


def test_every_figure_is_valid_plotly(demo_engine, demo_settings):
    for figure in every_figure(demo_engine, demo_settings):
        validated = go.Figure(figure.to_dict())  # raises on any invalid property
        assert validated.layout.separators == ",\u00a0"
        footer = figure.layout.annotations[0].text
        assert footer.startswith("Källa: ") and "Data t.o.m." in footer


def apply_relayout(layout: dict, changes: dict) -> dict:
    """The layout after Plotly.relayout(changes): what assets/charts-narrow.js draws."""
    import copy

    result = copy.deepcopy(layout)
    for path, value in changes.items():
        node, parts = result, path.split(".")
        for part in parts[:-1]:
            name, _, index = part.partition("[")
            node = node.setdefault(name, [] if index else {})
            if index:
                node = node[int(index.rstrip("]"))]
        name, _, index = parts[-1].partition("[")
        if index:
            items = node.setdefault(name, [])
            position = int(index.rstrip("]"))
            items.extend({} for _ in range(position + 1 - len(items)))
            items[position] = value
        elif value is None:
            node.pop(name, None)
        else:
            node[name] = value
    return result


def test_every_figure_has_a_narrow_variant_that_undoes_itself(demo_engine, demo_settings):
    for figure in every_figure(demo_engine, demo_settings):
        layout = figure.to_plotly_json()["layout"]
        meta = layout["meta"]
        assert meta["below"] == figures.NARROW_BELOW_PX
        assert set(meta["narrow"]) == set(meta["wide"])
        narrow = apply_relayout(layout, meta["narrow"])
        back = apply_relayout(narrow, {**meta["wide"]})
        for path in meta["narrow"]:
            assert figures._layout_value(back, path) == figures._layout_value(layout, path), path
        # Titles are wrapped to a phone's width; the print layout keeps them on one line.
        title_lines = narrow["title"]["text"].removeprefix("<b>").removesuffix("</b>")
        assert all(len(line) <= figures.NARROW_TITLE_CHARS
                   for line in title_lines.split("<br>") if " " in line)
        assert "<br>" not in layout["title"]["text"]
        # The source line sits below the legend, which sits below the axis: never on each other.
        plot_px = narrow["height"] - narrow["margin"]["t"] - narrow["margin"]["b"]
        footer_top = -narrow["annotations"][0]["yshift"]
        if "legend.y" in meta["narrow"]:
            legend_top = -narrow["legend"]["y"] * plot_px
            rows = sum(t.name.count("<br>") + 1 for t in figure.data
                       if t.showlegend is not False and t.name)
            assert legend_top >= figures.TICK_LABELS_PX
            assert legend_top + rows * figures.LEGEND_ROW_PX <= footer_top
        footer_lines = narrow["annotations"][0]["text"].count("<br>") + 1
        assert footer_top + 14 * footer_lines <= narrow["margin"]["b"]


def test_narrow_year_axis_covers_only_years_with_data(demo_engine, demo_settings):
    item = next(i for i in queries.goal_followups(demo_engine, demo_settings, 1)
                if i.info.id == "telefon-svar")
    figure = charts.measure_figure(item)
    narrow = figure.layout.meta["narrow"]
    series = item.frame
    measured = series.loc[series["value"].notna() | series["comparison_mean"].notna(), "year"]
    if item.own_rows:  # the municipality's own measurement is a series with data too
        own = item.own_frame
        measured = pd.concat([measured, own.loc[own["value"].notna(), "year"]])
    pad = figures.NARROW_YEAR_PAD
    assert narrow["xaxis.range"] == [measured.min() - pad, measured.max() + pad]
    assert narrow["xaxis.tickangle"] == 0
    ticks = range(int(measured.min()), int(measured.max()) + 1, narrow["xaxis.dtick"])
    assert len(ticks) <= figures.NARROW_YEAR_TICKS


def test_twelve_comparison_municipalities_each_have_their_own_colour_and_marker(
        demo_engine, demo_settings):
    peers = "1260,1280,1283,1282,1281,1284,1285,1290,1291,1292,1293,1261"
    view = build_view(demo_engine, demo_settings,
                      {"kpi": "N00640", "jmf": "egen", "kommuner": peers, "visa": "kommuner"})
    figure = figures.explore_trend_figure(view.trend, view.peer_lines, view.names,
                                          view.home_name, view.peer_label, view.unit,
                                          view.decimals, view.trend_text())
    drawn = [t for t in figure.data if t.name in set(view.names.values())
             and t.name != view.home_name]
    assert len(drawn) == 12
    assert len({t.line.color for t in drawn}) == 12
    assert len({t.marker.symbol for t in drawn}) == 12
    assert not {t.line.color for t in drawn} & {figures.HOME_COLOUR, figures.COMPARISON_COLOUR,
                                                 figures.TARGET_COLOUR}


@pytest.mark.parametrize(("unit", "numbers", "expected", "zoomed"), [
    ("%", [61.0, 74.0], [0, 100], False),
    ("index", [77.6, 80.6], None, True),
    ("kr", [0.0, 120000.0], None, False),
])
def test_one_y_axis_policy(unit, numbers, expected, zoomed):
    spec = figures._Spec(figures.base_layout(figures.ChartText("T", "", "Kolada", 2022),
                                             y_title="Värde"))
    figures._value_axis(spec, unit, pd.Series(numbers))
    low, high = spec.layout["yaxis"]["range"]
    if expected:
        assert [low, high] == expected
    assert low <= min(numbers) and high >= max(numbers)
    assert (figures.ZOOMED_AXIS_NOTE in spec.layout["yaxis"]["title"]["text"]) == zoomed
