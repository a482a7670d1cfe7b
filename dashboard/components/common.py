"""Building blocks shared by the pages: status badges, charts with their table view, notes."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard import words
from etl.followup.verdict import GoalVerdict

GRAPH_CONFIG = {
    "locale": "sv",
    "displaylogo": False,
    # The export buttons under each chart replace Plotly's mode bar, which is not keyboard-friendly.
    "displayModeBar": False,
    "responsive": True,
}


def status_badge(state: words.Status | words.PeerStatus, text: str | None = None
                 ) -> html.Span:
    """Status in words and an icon as well as colour (WCAG 1.4.1)."""
    label = text or (state.text if isinstance(state, words.PeerStatus) else state.label)
    return html.Span(
        [html.Span(state.icon, className="status-icon", **{"aria-hidden": "true"}), label],
        className=f"status {state.css}",
    )


def example_tag(text: str = "Exempeldata") -> html.Span:
    return html.Span(text, className="tag tag-example", title="Påhittade värden för demonstration")


def table_view(frame: pd.DataFrame, caption: str, *, numeric: Sequence[str] = (),
               open_: bool = False) -> html.Details:
    """The chart's numbers as an HTML table, behind a disclosure ("Visa som tabell").

    A closed table view carries its cells as data (`data-table`, JSON) and
    `assets/table-view.js` draws the table when it is first opened: a page's tables are many
    hundreds of cells, which as Dash components would make the page's answer and its drawing
    several times slower, for tables most visitors never open. An open one is drawn at once.
    """
    if open_:
        return html.Details([html.Summary("Visa som tabell"), data_table(frame, caption, numeric)],
                            open=True, className="table-view")
    cells = {
        "caption": caption,
        "columns": [str(c) for c in frame.columns],
        "numeric": [i for i, c in enumerate(frame.columns) if i and c in numeric],
        "rows": [[str(value) for value in row] for row in frame.itertuples(index=False)],
    }
    return html.Details([
        html.Summary("Visa som tabell"),
        html.Div(className="table-scroll", tabIndex="0", role="region",
                 **{"aria-label": caption,
                    "data-table": json.dumps(cells, ensure_ascii=False, separators=(",", ":"))}),
    ], className="table-view")


def data_table(frame: pd.DataFrame, caption: str, numeric: Sequence[str] = ()) -> html.Div:
    """A frame as a table (the first column as row headers) that scrolls sideways."""
    header = html.Tr([html.Th(c, scope="col") for c in frame.columns])
    classes = [{"className": "num"} if c in numeric else {} for c in frame.columns]
    body = [
        element("Tr", [
            element("Th", str(value), scope="row") if i == 0 else
            element("Td", str(value), **classes[i])
            for i, value in enumerate(row)
        ])
        for row in frame.itertuples(index=False)
    ]
    return scrolling_table(html.Table([html.Caption(caption), html.Thead(header),
                                       html.Tbody(body)], className="data-table"), caption)


def element(tag: str, children: object, **props: object) -> dict:
    """`html.<tag>(children, **props)` in the form Dash sends it to the browser. For the many
    cells of a table: the same JSON, at a fifth of the cost of a component object per cell."""
    return {"type": tag, "namespace": "dash_html_components",
            "props": {"children": children, **props}}


def scrolling_table(table: html.Table, label: str) -> html.Div:
    """A table that scrolls sideways on a narrow screen, reachable by keyboard to scroll it."""
    return html.Div(table, className="table-scroll", tabIndex="0", role="region",
                    **{"aria-label": label})


EXPORT_PREFIX = "/export/chart/"
DOWNLOAD_FORMATS = (
    ("png", "PNG", "bild för tryck, 300 dpi"),
    ("svg", "SVG", "vektorbild"),
    ("pdf", "PDF", "diagrammet som PDF"),
    ("xlsx", "Excel", "diagrammets data"),
    ("csv", "CSV", "diagrammets data för svenskt Excel"),
)


def download_links(export_key: str, title: str, query: str = "") -> html.Div:
    """Links that download the chart (PNG, SVG, PDF) and its data (Excel, CSV); `query` (a
    query string) names the view for charts drawn from one (the explore page)."""
    stem = "malbild-" + export_key.replace("/", "-")
    links = [
        html.Li(html.A([label, html.Span(f" ({hint})", className="visually-hidden")],
                       href=f"{EXPORT_PREFIX}{export_key}.{suffix}{query}",
                       download=f"{stem}.{suffix}", className="download-link",
                       title=hint.capitalize()))
        for suffix, label, hint in DOWNLOAD_FORMATS
    ]
    return html.Div([
        html.Span("Ladda ner:", className="downloads-label", **{"aria-hidden": "true"}),
        html.Ul(links),
    ], className="chart-downloads", role="group", **{"aria-label": f"Ladda ner {title}"})


def chart(figure: go.Figure, *, summary: str, table: html.Details,
          graph_id: str | dict | None = None, extra: Sequence = (),
          export_key: str | None = None, title: str | None = None,
          export_query: str = "") -> html.Div:
    """A chart as an image for assistive technology (its summary), with its table and notes.

    With `export_key` (see `dashboard.charts`) the chart gets download links for PNG, SVG, PDF,
    Excel and CSV; `title` names the chart in the links' group label.
    """
    graph_kwargs = {"id": graph_id} if graph_id else {}
    downloads = [download_links(export_key, title or summary, export_query)] \
        if export_key else []
    return html.Div([
        html.Div(
            dcc.Graph(figure=figure, config=GRAPH_CONFIG, className="graph", **graph_kwargs),
            role="img", **{"aria-label": summary},
        ),
        html.P(summary, className="chart-summary"),
        *downloads,
        *extra,
        table,
    ], className="chart-block")


def chart_of(view, *, extra: Sequence = (), graph_id: str | dict | None = None,
             export_query: str = "") -> html.Div:
    """`chart()` for a `dashboard.charts.ChartView`: figure, summary, table view and downloads."""
    return chart(view.figure, summary=view.summary,
                 table=table_view(view.table, view.table_caption, numeric=view.numeric_columns),
                 graph_id=graph_id, extra=extra, export_key=view.key, title=view.title,
                 export_query=export_query)


def definition_list(items: Sequence[tuple[str, object]]) -> html.Dl:
    children = []
    for term, value in items:
        children += [html.Dt(term), html.Dd(value)]
    return html.Dl(children, className="facts")


def verdict_line(goal: GoalVerdict) -> html.P:
    """The goal's verdict in words and symbol, how it was reached and the rule in a sentence."""
    return html.P([
        html.Span(f"Bedömning {goal.year}: ", className="verdict-label"),
        status_badge(words.verdict(goal)), " ",
        html.Span(f"({words.verdict_counts(goal)}). ", className="verdict-counts"),
        html.Span(words.VERDICT_RULE, className="verdict-rule"), " ",
        html.A(["Se måtten", html.Span(f" för mål {goal.goal}", className="visually-hidden")],
               href=f"/mal/{goal.goal}"),
    ], className="goal-verdict")
