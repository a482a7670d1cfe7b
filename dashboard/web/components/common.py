"""Building blocks shared by the pages: status badges, charts with their table view, notes."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard.present import addresses, definitions, words
from etl.followup.records import YearRow
from etl.followup.rules import TargetCertainty
from etl.followup.verdict import GoalVerdict

GRAPH_CONFIG = {
    "locale": "sv",
    "displaylogo": False,
    # The export buttons under each chart replace Plotly's mode bar, which is not keyboard-friendly.
    "displayModeBar": False,
    "responsive": True,
}


READING_GUIDE = "/sa-laser-du"
# The term on /sa-laser-du that explains a status (by its key); a key not named here is a term.
TERM_OF_STATUS = {
    "inget-mal": "bedomning", "ingen-matning": "bedomning", "ingen-bedomning": "bedomning",
    "delvis": "bedomning", "kan-inte-bedomas": "bedomning",
    "hogre": "matkommunernas-medelvarde", "lagre": "matkommunernas-medelvarde",
    "i-niva": "matkommunernas-medelvarde", "okand": "felmarginal-okand",
}
PEER_TERM = "trolig-plats"
VERDICT_TERM = "bedomning"


def explained(term: str, year: int | None) -> str:
    """Where /sa-laser-du explains a term (or a status key), in the follow-up year."""
    anchor = definitions.anchor_for(TERM_OF_STATUS.get(term, term))
    return addresses.with_year(READING_GUIDE, year) + (f"#{anchor}" if anchor else "")


def target_term(row: YearRow | None) -> str:
    """The term that explains a target status: the margin where the target lies inside it."""
    if row is not None and row.target_certainty is TargetCertainty.INOM_FELMARGINAL:
        return "inom-felmarginalen"
    return words.target_of(row).key


def status_badge(state: words.Status | words.PeerStatus, text: str | None = None, *,
                 term: str | None = None, year: int | None = None) -> html.Span:
    """Status in words and an icon as well as colour (WCAG 1.4.1); with `term`, the words
    link to their explanation on /sa-laser-du."""
    label = text or (state.text if isinstance(state, words.PeerStatus) else state.label)
    if term is not None:
        label = html.A(label, href=explained(term, year), className="status-link",
                       title="Vad betyder det? Så läser du Målbild")
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

    With `export_key` (see `dashboard.present.charts`) the chart gets download links for PNG, SVG,
    PDF, Excel and CSV; `title` names the chart in the links' group label.
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
    """`chart()` for a `dashboard.present.charts.ChartView`: figure, summary, table view and
    downloads."""
    return chart(view.figure, summary=view.summary,
                 table=table_view(view.table, view.table_caption, numeric=view.numeric_columns),
                 graph_id=graph_id, extra=extra, export_key=view.key, title=view.title,
                 export_query=export_query)


def definition_list(items: Sequence[tuple[str, object]]) -> html.Dl:
    children = []
    for term, value in items:
        children += [html.Dt(term), html.Dd(value)]
    return html.Dl(children, className="facts")


def verdict_line(goal: GoalVerdict, *, measures_link: bool = True) -> html.P:
    """The goal's verdict in words and symbol (linked to what it means) and how it was
    reached; the rule itself is said once per page (`verdict_rule`)."""
    return html.P([
        html.Span(f"Bedömning {goal.year}: ", className="verdict-label"),
        status_badge(words.verdict(goal), term=VERDICT_TERM, year=goal.year), " ",
        html.Span(f"({words.verdict_counts(goal)}).", className="verdict-counts"),
        *([" ", html.A(["Se måtten", html.Span(f" för mål {goal.goal}",
                                               className="visually-hidden")],
                       href=addresses.with_year(f"/mal/{goal.goal}", goal.year))]
          if measures_link else []),
    ], className="goal-verdict")


def verdict_rule(year: int | None) -> html.P:
    """How a goal's verdict is reached, once per page, with the way to every word's meaning."""
    return html.P([
        html.Span("Så bedöms målen: ", className="verdict-label"), words.VERDICT_RULE, " ",
        html.A("Så läser du Målbild", href=addresses.with_year(READING_GUIDE, year)), ".",
    ], className="verdict-rule")


def year_choice(year: int, years: list[int], action: str) -> html.Form:
    """The follow-up year as a plain GET form (a labelled select and a button), so the choice
    stays in the address (?ar=) and works from the keyboard. Other choices of the page start
    afresh in another year (a förvaltning of one survey need not be in the next)."""
    return html.Form([
        html.Label("Uppföljningsår", htmlFor="uppfoljningsar"),
        html.Select([html.Option(str(y), value=str(y), selected=y == year)
                     for y in reversed(years)], id="uppfoljningsar", name=addresses.YEAR,
                    className="form-select year-select"),
        html.Button("Visa", type="submit", className="button-link"),
    ], method="get", action=action, className="year-form")
