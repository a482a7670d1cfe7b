"""Sidan finns inte (404)."""

import dash
from dash import html

dash.register_page(
    __name__, path="/404", name="Sidan finns inte", title="Sidan finns inte – Målbild"
)


def layout(**_query) -> html.Div:
    return html.Div([
        html.H1("Sidan finns inte"),
        html.P("Adressen leder inte till någon sida i Målbild."),
        html.A("Till översikten", href="/"),
    ])
