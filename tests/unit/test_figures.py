"""Every figure is valid Plotly (figures skip Plotly's validation for speed; this test does it),
uses Swedish separators, and its colours keep 3:1 contrast against white."""

import plotly.graph_objects as go
import pytest

from dashboard import charts, figures, queries
from dashboard.exploration import build_view


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
