"""Ändringslogg: who changed what, when, from what to what; filtered by kind (`?typ=`) and
downloadable whole (`/admin/logg.csv`, `/admin/logg.xlsx`)."""

from __future__ import annotations

import dash
import pandas as pd
from dash import html

from dashboard.present import formatting as fmt
from dashboard.store import runtime
from dashboard.web import admin_routes, auth, urlstate
from dashboard.web.components.admin import select
from dashboard.web.components.common import table_view
from etl import audit

ACCESS = auth.ADMIN

dash.register_page(__name__, path="/admin/logg", name="Ändringslogg",
                   title="Ändringslogg – Målbild", order=35)

KIND = "admin-audit-kind"
SHOWN = 200

urlstate.sync_to_url({"typ": (KIND, "value")})
ALL_EVENTS = "alla"


def log_table(events: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({
        "Tid": [f"{fmt.iso_date(e['at'])} {e['at']:%H:%M:%S}" for e in events],
        "Vem": [e["actor"] for e in events],
        "Vad": [audit.ACTIONS.get(e["action"], e["action"]) for e in events],
        "Objekt": [e["object_id"] for e in events],
        "Före": [audit.describe(e["before"]) or "–" for e in events],
        "Efter": [audit.describe(e["after"]) or "–" for e in events],
    })


def layout(typ: str | None = None, **_query) -> html.Div:
    # "All" is an option with a value of its own (ALL_EVENTS), never "" (see pages/goal.py).
    group = typ if typ in audit.ACTION_GROUPS else ALL_EVENTS
    events = audit.events(runtime.engine(), group=None if group == ALL_EVENTS else group,
                          limit=SHOWN)
    options = [{"label": "Alla ändringar", "value": ALL_EVENTS}] + [
        {"label": label, "value": key} for key, label in audit.ACTION_GROUPS.items()]
    return html.Div([
        urlstate.rendered({"typ": group}),
        html.P(html.A("← Administration", href="/admin"), className="breadcrumb"),
        html.H1("Ändringslogg"),
        html.P("Varje import, mål, analystext och ändrad användare loggas med vem, när och "
               "värdet före och efter. Loggen kan inte ändras.", className="lead"),
        select(KIND, "Visa", options, group),
        html.Ul([
            html.Li(html.A("Hela loggen som CSV för svenskt Excel",
                           href=admin_routes.AUDIT_CSV, download="malbild-logg.csv",
                           className="button-link")),
            html.Li(html.A("Hela loggen som Excel (xlsx)", href=admin_routes.AUDIT_XLSX,
                           download="malbild-logg.xlsx", className="button-link")),
        ], className="download-list"),
        table_view(log_table(events), f"De senaste {SHOWN} ändringarna" if len(events) == SHOWN
                   else "Ändringar, nyast först", open_=True)
        if events else html.P("Inga ändringar ännu."),
    ])
