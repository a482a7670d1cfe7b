"""Building blocks shared by the pages: status badges, charts with their table view, notes."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard import status as st

GRAPH_CONFIG = {
    "locale": "sv",
    "displaylogo": False,
    # The export buttons under each chart replace Plotly's mode bar, which is not keyboard-friendly.
    "displayModeBar": False,
    "responsive": True,
}


def status_badge(state: st.Status | st.PeerStatus, text: str | None = None) -> html.Span:
    """Status in words and an icon as well as colour (WCAG 1.4.1)."""
    label = text or (state.label if isinstance(state, st.Status) else
                     f"{state.label}{', ' + state.rank_text if state.rank_text else ''}")
    return html.Span(
        [html.Span(state.icon, className="status-icon", **{"aria-hidden": "true"}), label],
        className=f"status {state.css}",
    )


def example_tag(text: str = "Exempeldata") -> html.Span:
    return html.Span(text, className="tag tag-example", title="Påhittade värden för demonstration")


def table_view(frame: pd.DataFrame, caption: str, *, numeric: Sequence[str] = (),
               open_: bool = False) -> html.Details:
    """The chart's numbers as an HTML table, behind a disclosure ("Visa som tabell")."""
    header = html.Tr([html.Th(c, scope="col") for c in frame.columns])
    body = [
        html.Tr([
            html.Th(str(row[0]), scope="row") if i == 0 else
            html.Td(str(value), className="num" if frame.columns[i] in numeric else None)
            for i, value in enumerate(row)
        ])
        for row in frame.itertuples(index=False)
    ]
    return html.Details([
        html.Summary("Visa som tabell"),
        html.Div(html.Table([html.Caption(caption), html.Thead(header), html.Tbody(body)],
                            className="data-table"), className="table-scroll"),
    ], open=open_, className="table-view")


def chart(figure: go.Figure, *, summary: str, table: html.Details,
          graph_id: str | dict | None = None, extra: Sequence = ()) -> html.Div:
    """A chart as an image for assistive technology (its summary), with its table and notes."""
    graph_kwargs = {"id": graph_id} if graph_id else {}
    return html.Div([
        html.Div(
            dcc.Graph(figure=figure, config=GRAPH_CONFIG, className="graph", **graph_kwargs),
            role="img", **{"aria-label": summary},
        ),
        html.P(summary, className="chart-summary"),
        *extra,
        table,
    ], className="chart-block")


def definition_list(items: Sequence[tuple[str, object]]) -> html.Dl:
    children = []
    for term, value in items:
        children += [html.Dt(term), html.Dd(value)]
    return html.Dl(children, className="facts")
