"""Så läser du Målbild: every word the pages use for a status, a margin or a verdict, explained
once, from one set of definitions (dashboard/present/definitions.py). Each status on the pages
links to its place here."""

from __future__ import annotations

import dash
from dash import html

from dashboard.present import addresses, definitions
from dashboard.web import auth
from dashboard.web.components.common import READING_GUIDE

ACCESS = auth.OPEN  # explains words, shows no values
TITLE = "Så läser du Målbild"

dash.register_page(__name__, path=READING_GUIDE, name="Så läser du",
                   title=f"{TITLE} – Målbild", order=8)


def layout(ar: str | None = None, **_query) -> html.Div:
    year = addresses.int_param(ar, range(2000, 2100), None)
    terms = definitions.definitions()
    return html.Div([
        html.P(html.A("← Översikt", href=addresses.with_year("/", year)), className="breadcrumb"),
        html.H1(TITLE),
        html.P("Varje status på sidorna står i ord och med symbol, inte bara med färg. Här står "
               "vad orden betyder. Orden på sidorna leder hit.", className="lead"),
        html.Nav(html.Ul([html.Li(html.A(d.term, href=f"#{d.anchor}")) for d in terms]),
                 className="guide-contents", **{"aria-label": "Orden på sidan"}),
        *[html.Section([html.H2(d.term, id=d.anchor, tabIndex="-1"), html.P(d.text)],
                       className="guide-term", **{"aria-labelledby": d.anchor})
          for d in terms],
    ])
